import { StorageError } from "@daydream/core";

/** A PostgreSQL instance address, split into what the driver needs and what may be printed. */
export interface PostgresTarget {
  /** What pg connects with (the `schema` parameter removed; the password kept). */
  connectionString: string;
  /** The URL with its password replaced by `***`: the only form that is ever printed. */
  masked: string;
  host: string;
  database: string;
  /** Tables live in this schema (created on first open); `public` unless the URL says `?schema=`. */
  schema: string;
  /** The password, so that messages can be scrubbed of it; "" when the URL has none. */
  password: string;
}

const SCHEMES = new Set(["postgres:", "postgresql:"]);
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** True for a `postgres://` or `postgresql://` URL (what ASSETS_STORAGE names PostgreSQL with). */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value.trim());
}

/**
 * Parses a `postgres://user:password@host:port/database?schema=name` URL. Errors never contain
 * the password.
 */
export function parsePostgresUrl(raw: string): PostgresTarget {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch (err) {
    throw new StorageError("invalid_storage_url", `storage URL ${maskUnparsed(raw)} is not a valid URL`, {
      cause: err,
      hint: "write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE (percent-encode special characters in the password)",
    });
  }
  if (!SCHEMES.has(url.protocol.toLowerCase())) {
    throw new StorageError(
      "invalid_storage_url",
      `storage URL scheme "${url.protocol}" is not PostgreSQL's`,
      { hint: "use postgres:// or postgresql://, or ASSETS_STORAGE=sqlite for the embedded default" },
    );
  }
  const password = decodeURIComponent(url.password);
  const schema = url.searchParams.get("schema") ?? "public";
  url.searchParams.delete("schema");
  const masked = new URL(url.href);
  if (masked.password !== "") masked.password = "***";
  if (schema !== "public") masked.searchParams.set("schema", schema);
  const database = decodeURIComponent(url.pathname.replace(/^\//, "")) || decodeURIComponent(url.username);
  const target: PostgresTarget = {
    connectionString: url.href,
    masked: masked.href,
    host: url.port ? `${url.hostname}:${url.port}` : url.hostname || "localhost",
    database,
    schema,
    password,
  };
  if (!SCHEMA_NAME.test(schema)) {
    throw new StorageError(
      "invalid_storage_url",
      `schema "${schema}" in ${target.masked} is not a plain identifier`,
      {
        hint: "use lower-case letters, digits and underscores (e.g. ?schema=daydream)",
      },
    );
  }
  return target;
}

/** Masks what looks like a password in a string that is not a parseable URL. */
function maskUnparsed(raw: string): string {
  return JSON.stringify(raw.replace(/(\/\/[^:/@]*:)[^@]*@/, "$1***@"));
}

/** Removes every occurrence of the password from a message (drivers may echo connection strings). */
export function scrubPassword(message: string, target: PostgresTarget): string {
  let text = message.split(target.connectionString).join(target.masked);
  if (target.password.length > 0) text = text.split(target.password).join("***");
  return text;
}

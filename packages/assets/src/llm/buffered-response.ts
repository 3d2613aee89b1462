export interface BufferedResponseInit {
  status: number;
  statusText: string;
  headers: Headers;
  url: string;
}

/**
 * A fully received HTTP response implementing fetch's `Response`. undici's Response wraps even
 * a body already in memory in a web stream, whose set-up and read cost more main-thread time
 * than the rest of a short LLM call; this one decodes its buffer directly. The rarely used
 * parts (`body` as a stream, blob, formData) go through a real Response built on demand.
 */
export class BufferedResponse implements Response {
  readonly type: Response["type"] = "basic";
  readonly redirected = false;
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly url: string;
  readonly #data: Buffer | null;
  #used = false;
  #real: Response | undefined;

  /** `data` is null for statuses that carry no body (204, 304...). */
  constructor(data: Buffer | null, init: BufferedResponseInit) {
    this.#data = data;
    this.status = init.status;
    this.statusText = init.statusText;
    this.headers = init.headers;
    this.url = init.url;
    this.ok = init.status >= 200 && init.status <= 299;
  }

  get body(): ReadableStream<Uint8Array> | null {
    return this.#data === null ? null : this.#realResponse().body;
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#real?.bodyUsed ?? false);
  }

  async text(): Promise<string> {
    if (this.#real !== undefined) return this.#real.text();
    return this.#take().toString("utf8");
  }

  async json(): Promise<unknown> {
    if (this.#real !== undefined) return this.#real.json();
    return JSON.parse(this.#take().toString("utf8"));
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    if (this.#real !== undefined) return this.#real.arrayBuffer();
    const data = this.#take();
    return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  }

  async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(await this.arrayBuffer());
  }

  blob(): Promise<Blob> {
    return this.#realResponse().blob();
  }

  formData(): Promise<FormData> {
    return this.#realResponse().formData();
  }

  clone(): Response {
    if (this.bodyUsed) throw new TypeError("Response.clone: body has already been consumed");
    return new BufferedResponse(this.#data, this);
  }

  /** The whole body, once: like any Response, it can be read a single time. */
  #take(): Buffer {
    if (this.#used) throw new TypeError("Body is unusable: body has already been read");
    this.#used = true;
    return this.#data ?? Buffer.alloc(0);
  }

  #realResponse(): Response {
    if (this.#real === undefined) {
      if (this.#used) throw new TypeError("Body is unusable: body has already been read");
      this.#real = new Response(this.#data, {
        status: this.status,
        statusText: this.statusText,
        headers: this.headers,
      });
    }
    return this.#real;
  }
}

/**
 * The selection syntax of --select (parsed by @daydream/core's graph/selection), for the
 * help of the commands that take one. Kept beside the commands: it is user documentation.
 */
export const SELECTION_SYNTAX = `
Selection syntax (--select; quote it for the shell):
  draft_prompt             that asset
  a,b                      the assets of a and of b (a union; ',' binds loosest)
  group:evaluation         every asset of a group (see \`npx assets list\`)
  kind:llm                 every asset of a kind (\`npx assets show KEY\` lists an asset's)
  tag:tier / tag:"tier"="gold"
                           every asset with that tag (and value; shown by \`npx assets show KEY\`)
  key:"draft_*"            keys matching a wildcard; '*' matches any text, also in
                           group:, kind: and tag: values (quote values that have one)
  +key  key+               key and one layer upstream / downstream (2+key, key+2: two)
  *key  key*               key and everything upstream / downstream
  a and b  a or b  not a   in both, in either, every asset not in a (also AND, OR, NOT);
                           not binds tightest, then and, then or, then ','
  ( ... )                  grouping: (a or b)+, not (group:cohort or kind:csv)
`;

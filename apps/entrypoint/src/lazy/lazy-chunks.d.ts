/** A module bundled on its own by scripts/build.mjs, embedded in the CLI bundle as its source text. */
declare module "lazy-chunk:*" {
  export const source: string;
}

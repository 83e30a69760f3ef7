/**
 * Turns a pypi repository endpoint into the index URL pip wants, exactly as the Python toolkit does: an endpoint
 * ending in `<repository>` or `<repository>/` gets `<repository>/simple/`; one already ending in `/simple/` and
 * any other shape are left as they are. No credentials are added.
 */
export function buildIndexUrl(repositoryEndpoint: string, repository: string): string {
  if (repositoryEndpoint.endsWith("/simple/")) return repositoryEndpoint;
  for (const suffix of [`${repository}/`, repository]) {
    if (repositoryEndpoint.endsWith(suffix)) {
      return `${repositoryEndpoint.slice(0, -suffix.length)}${repository}/simple/`;
    }
  }
  return repositoryEndpoint;
}

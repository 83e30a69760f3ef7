import { describe, expect, it } from "vitest";
import { buildIndexUrl } from "./index-url.ts";

const ENDPOINT = "https://domain-012345678900.d.codeartifact.region.amazonaws.com/pypi/my_repo/";
const EXPECTED = "https://domain-012345678900.d.codeartifact.region.amazonaws.com/pypi/my_repo/simple/";

describe("buildIndexUrl", () => {
  it("appends simple/ to the endpoint, as the toolkit's test vector", () => {
    expect(buildIndexUrl(ENDPOINT, "my_repo")).toBe(EXPECTED);
    // The toolkit then splices in aws:<token>@; we keep credentials apart, but the rest is the same.
    expect(EXPECTED.replace("https://", "https://aws:the-auth-token@")).toBe(
      "https://aws:the-auth-token@domain-012345678900.d.codeartifact.region.amazonaws.com/pypi/my_repo/simple/",
    );
  });

  it("gives the same result for an endpoint without the trailing slash", () => {
    expect(buildIndexUrl(ENDPOINT.slice(0, -1), "my_repo")).toBe(EXPECTED);
  });

  it("leaves an endpoint that already ends in /simple/ alone", () => {
    expect(buildIndexUrl(EXPECTED, "my_repo")).toBe(EXPECTED);
  });

  it("leaves an endpoint that does not end in the repository alone, as the toolkit", () => {
    expect(buildIndexUrl("https://h/pypi/other/", "my_repo")).toBe("https://h/pypi/other/");
  });

  it("treats regex characters in the repository literally", () => {
    expect(buildIndexUrl("https://h/pypi/a.b/", "a.b")).toBe("https://h/pypi/a.b/simple/");
    expect(buildIndexUrl("https://h/pypi/axb/", "a.b")).toBe("https://h/pypi/axb/");
  });
});

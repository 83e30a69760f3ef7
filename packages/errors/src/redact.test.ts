import { afterEach, describe, expect, it } from "vitest";
import { redact, redactArgs } from "./redact.ts";
import { clearSecrets, registerSecret } from "./secret-registry.ts";

afterEach(() => clearSecrets());

describe("redact: URL userinfo", () => {
  it("replaces user and password", () => {
    expect(
      redact("pip -i https://aws:tok3n-value@dom-1111.d.codeartifact.us-east-1.amazonaws.com/pypi/r/simple/"),
    ).toBe("pip -i https://***@dom-1111.d.codeartifact.us-east-1.amazonaws.com/pypi/r/simple/");
  });

  it("replaces a user without a password and keeps the rest of the line", () => {
    expect(redact("fetching git+ssh://deploy@example.com/repo.git now")).toBe(
      "fetching git+ssh://***@example.com/repo.git now",
    );
  });

  it("handles several URLs on one line", () => {
    expect(redact("a=http://u:p@h1/x b=https://v:q@h2:8443/y")).toBe(
      "a=http://***@h1/x b=https://***@h2:8443/y",
    );
  });

  it("leaves URLs without userinfo and plain e-mail addresses alone", () => {
    expect(redact("https://pypi.org/simple/ and ops@example.com and https://h/p@q")).toBe(
      "https://pypi.org/simple/ and ops@example.com and https://h/p@q",
    );
  });
});

describe("redact: registered secrets", () => {
  it("replaces a registered secret anywhere", () => {
    registerSecret("CANARY-abc123");
    expect(redact("token=CANARY-abc123;again CANARY-abc123")).toBe("token=***;again ***");
  });

  it("replaces the URL-encoded form of a registered secret", () => {
    registerSecret("a/b+c=d&e");
    expect(redact("https://h/?t=a%2Fb%2Bc%3Dd%26e")).toBe("https://h/?t=***");
  });

  it("replaces the longer of two overlapping secrets whole", () => {
    registerSecret("secret1");
    registerSecret("secret1-longer");
    expect(redact("x secret1-longer y secret1")).toBe("x *** y ***");
  });

  it("treats regex characters in a secret literally", () => {
    registerSecret("a.b*c(d)");
    expect(redact("aXbbc(d) a.b*c(d)")).toBe("aXbbc(d) ***");
  });

  it("refuses secrets too short to redact safely", () => {
    expect(() => registerSecret("abc")).toThrow(TypeError);
  });
});

describe("redact: Authorization and X-Amz-Security-Token", () => {
  it("replaces an Authorization header value to the end of the line", () => {
    expect(
      redact(
        "Authorization: AWS4-HMAC-SHA256 Credential=AKIAFAKE/20261125/us-east-1/codeartifact/aws4_request, Signature=abc\nnext",
      ),
    ).toBe("Authorization: ***\nnext");
  });

  it("replaces Basic credentials in any letter case", () => {
    expect(redact("> authorization:Basic YXdzOnRvaw==")).toBe("> authorization:***");
  });

  it("replaces a security token header", () => {
    expect(redact("X-Amz-Security-Token: IQoJb3JpZ2luX2VjE")).toBe("X-Amz-Security-Token: ***");
  });

  it("replaces a security token in a query string and keeps the other parameters", () => {
    expect(redact("GET /x?X-Amz-Security-Token=IQoJb3&X-Amz-Date=20261125")).toBe(
      "GET /x?X-Amz-Security-Token=***&X-Amz-Date=20261125",
    );
  });

  it("replaces quoted header values in JSON and Python reprs", () => {
    expect(redact(`{"authorization":"AWS4 sig","x":1}`)).toBe(`{"authorization":"***","x":1}`);
    expect(redact(`{'X-Amz-Security-Token': 'tok', 'Host': 'h'}`)).toBe(
      `{'X-Amz-Security-Token': '***', 'Host': 'h'}`,
    );
  });
});

describe("redactArgs", () => {
  it("redacts each argument", () => {
    registerSecret("CANARY-zzz999");
    expect(
      redactArgs(["pip", "--index-url", "https://aws:CANARY-zzz999@h/simple/", "CANARY-zzz999"]),
    ).toEqual(["pip", "--index-url", "https://***@h/simple/", "***"]);
  });
});

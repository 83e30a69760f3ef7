import { describe, expect, it } from "vitest";
import { isServeError } from "@sagemaker-serve/errors";
import { CodeArtifactError } from "./errors.ts";
import { parseRepositoryArn } from "./parse-repository-arn.ts";

function failure(arn: string): CodeArtifactError {
  try {
    parseRepositoryArn(arn);
  } catch (error) {
    if (error instanceof CodeArtifactError) return error;
    throw error;
  }
  throw new Error(`expected ${arn} to be refused`);
}

describe("parseRepositoryArn", () => {
  it("splits an aws partition ARN", () => {
    expect(
      parseRepositoryArn("arn:aws:codeartifact:us-east-1:012345678900:repository/my-domain/my_repo"),
    ).toEqual({
      partition: "aws",
      region: "us-east-1",
      account: "012345678900",
      domain: "my-domain",
      repository: "my_repo",
    });
  });

  it("accepts the China and GovCloud partitions", () => {
    expect(
      parseRepositoryArn("arn:aws-cn:codeartifact:cn-north-1:111122223333:repository/d1/r.1"),
    ).toMatchObject({
      partition: "aws-cn",
      region: "cn-north-1",
    });
    expect(
      parseRepositoryArn("arn:aws-us-gov:codeartifact:us-gov-west-1:111122223333:repository/dom/repo-x"),
    ).toMatchObject({
      partition: "aws-us-gov",
      region: "us-gov-west-1",
      domain: "dom",
      repository: "repo-x",
    });
  });

  it("keeps the toolkit's message text and names the format for a non-ARN", () => {
    const error = failure("invalid_arn");
    expect(isServeError(error)).toBe(true);
    expect(error.code).toBe("CODEARTIFACT_ARN_INVALID");
    expect(error.part).toBe("format");
    expect(error.message).toContain("invalid CodeArtifact repository arn invalid_arn");
    expect(error.hint).toContain("arn:aws:codeartifact:us-east-1:111122223333:repository/my-domain/my-repo");
  });

  it("names the wrong service", () => {
    const error = failure("arn:aws:s3:us-east-1:111122223333:repository/d1/r1");
    expect(error.part).toBe("service");
    expect(error.message).toContain('the service must be codeartifact (got "s3")');
  });

  it("names a partition that is not an AWS partition", () => {
    expect(failure("arn:azure:codeartifact:us-east-1:111122223333:repository/d1/r1").part).toBe("partition");
  });

  it("names a region the SDK would refuse (the toolkit's my_region)", () => {
    const error = failure("arn:aws:codeartifact:my_region:012345678900:repository/my-domain/my_repo");
    expect(error.part).toBe("region");
    expect(error.message).toContain('(got "my_region")');
  });

  it("names an account that is not 12 digits", () => {
    expect(failure("arn:aws:codeartifact:us-east-1:1234:repository/d1/r1").part).toBe("account");
  });

  it("names a missing repository", () => {
    const error = failure("arn:aws:codeartifact:us-east-1:111122223333:repository/d1");
    expect(error.part).toBe("resource");
  });

  it("names a resource that is not a repository", () => {
    expect(failure("arn:aws:codeartifact:us-east-1:111122223333:package/d1/r1").part).toBe("resource");
  });

  it("refuses an extra / in the repository, which the toolkit kept", () => {
    const error = failure("arn:aws:codeartifact:us-east-1:111122223333:repository/d1/r1/extra");
    expect(error.part).toBe("repository");
    expect(error.message).toContain('(got "r1/extra")');
  });

  it("names a domain the service would refuse", () => {
    expect(failure("arn:aws:codeartifact:us-east-1:111122223333:repository/My_Domain/r1").part).toBe(
      "domain",
    );
  });

  it("escapes control characters so the message stays one line", () => {
    const error = failure("arn:aws:codeartifact:us-east-1:111122223333:repository/d1/r1\nFAKE LOG LINE");
    expect(error.message).not.toContain("\n");
    expect(error.message).toContain("\\x0a");
  });

  it("throws TypeError for a non-string", () => {
    expect(() => parseRepositoryArn(42 as unknown as string)).toThrow(TypeError);
  });
});

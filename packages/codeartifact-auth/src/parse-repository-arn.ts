import { CodeArtifactError, type RepositoryArnPart } from "./errors.ts";

/** The parts of `arn:<partition>:codeartifact:<region>:<account>:repository/<domain>/<repository>`. */
export interface RepositoryArn {
  partition: string;
  region: string;
  /** The domain owner: the 12-digit AWS account id. */
  account: string;
  domain: string;
  repository: string;
}

const PARTITION = /^aws(?:-[a-z]+)*$/;
// The JS SDK refuses a region that is not a hostname label, so check it here, before any network call.
const REGION = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ACCOUNT = /^\d{12}$/;
// The service's own name patterns for domains and repositories.
const DOMAIN = /^[a-z][a-z0-9-]{0,48}[a-z0-9]$/;
const REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$/;

const EXAMPLE = "arn:aws:codeartifact:us-east-1:111122223333:repository/my-domain/my-repo";

function printable(text: string): string {
  const shown = text.length > 300 ? `${text.slice(0, 300)}...` : text;
  let out = "";
  for (const char of shown) {
    const code = char.charCodeAt(0);
    out += code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, "0")}` : char;
  }
  return out;
}

function invalid(arn: string, part: RepositoryArnPart, problem: string): CodeArtifactError {
  return new CodeArtifactError(
    "CODEARTIFACT_ARN_INVALID",
    `invalid CodeArtifact repository arn ${printable(arn)}: ${problem}`,
    {
      part,
      hint: `set CA_REPOSITORY_ARN to arn:<partition>:codeartifact:<region>:<account-id>:repository/<domain>/<repository>, for example ${EXAMPLE}`,
    },
  );
}

/**
 * Splits a CodeArtifact repository ARN into partition, region, account, domain and repository, for every
 * partition (`aws`, `aws-cn`, `aws-us-gov`, ...). Makes no network call.
 *
 * @throws CodeArtifactError `CODEARTIFACT_ARN_INVALID` naming the wrong part; the message contains the
 *   toolkit's text `invalid CodeArtifact repository arn <arn>`.
 * @throws TypeError when `arn` is not a string.
 */
export function parseRepositoryArn(arn: string): RepositoryArn {
  if (typeof arn !== "string") {
    throw new TypeError(`parseRepositoryArn: arn must be a string, got ${typeof arn}`);
  }
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") {
    return failFormat(arn);
  }
  const [, partition = "", service = "", region = "", account = "", ...rest] = parts;
  const resource = rest.join(":");
  if (!PARTITION.test(partition)) {
    throw invalid(
      arn,
      "partition",
      `the partition must be aws, aws-cn, aws-us-gov, ... (got "${printable(partition)}")`,
    );
  }
  if (service !== "codeartifact") {
    throw invalid(arn, "service", `the service must be codeartifact (got "${printable(service)}")`);
  }
  if (!REGION.test(region)) {
    throw invalid(
      arn,
      "region",
      `the region must be a region name such as us-east-1 (got "${printable(region)}")`,
    );
  }
  if (!ACCOUNT.test(account)) {
    throw invalid(
      arn,
      "account",
      `the account must be a 12-digit AWS account id (got "${printable(account)}")`,
    );
  }
  const segments = resource.split("/");
  if (segments[0] !== "repository" || segments.length < 3) {
    throw invalid(
      arn,
      "resource",
      `the resource must be repository/<domain>/<repository> (got "${printable(resource)}")`,
    );
  }
  const [, domain = "", ...repositoryParts] = segments;
  const repository = repositoryParts.join("/");
  if (!DOMAIN.test(domain)) {
    throw invalid(
      arn,
      "domain",
      `the domain must be 2-50 lowercase letters, digits and hyphens, starting with a letter (got "${printable(domain)}")`,
    );
  }
  if (!REPOSITORY.test(repository)) {
    throw invalid(
      arn,
      "repository",
      `the repository must be 2-100 letters, digits, '.', '_' and '-', with no '/' (got "${printable(repository)}")`,
    );
  }
  return { partition, region, account, domain, repository };
}

function failFormat(arn: string): never {
  throw invalid(
    arn,
    "format",
    "expected arn:<partition>:codeartifact:<region>:<account>:repository/<domain>/<repository>",
  );
}

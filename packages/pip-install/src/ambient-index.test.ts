import { describe, expect, it } from "vitest";
import { describeOverrides, indexOverrideEnv, type AmbientIndexSetting } from "./ambient-index.ts";

const found: AmbientIndexSetting[] = [
  {
    key: "extra-index-url",
    value: "https://ci:s3cr3t-value@mirror.example/simple/",
    variable: "PIP_extra_index_url",
  },
  { key: "constraint", value: "/etc/pip-constraints.txt", variable: "PIP_CONSTRAINT" },
  {
    key: "find-links",
    value: "/opt/wheels",
    file: { path: "/etc/pip.conf", variant: "global", section: "install" },
  },
  { key: "no-index", value: "", variable: "PIP_NO_INDEX" },
];

describe("indexOverrideEnv", () => {
  it("removes every variable naming an index option, keeps the others, and blanks the file settings", () => {
    expect(indexOverrideEnv(found)).toEqual({
      PIP_extra_index_url: undefined,
      PIP_NO_INDEX: "false",
      PIP_EXTRA_INDEX_URL: " ",
      PIP_FIND_LINKS: " ",
    });
  });
});

describe("describeOverrides", () => {
  it("names each index setting in force with its source, credentials redacted", () => {
    expect(describeOverrides(found)).toBe(
      "the private index is the only package source; ambient pip settings overridden: " +
        "extra-index-url = https://***@mirror.example/simple/ (PIP_extra_index_url); " +
        "find-links = /opt/wheels (/etc/pip.conf [install], global config)",
    );
  });

  it("says nothing when no index setting is in force", () => {
    expect(describeOverrides([found[1]!, found[3]!])).toBeUndefined();
  });
});

import { resolve } from "node:path";
import { redact } from "@sagemaker-serve/errors";
import type { PolicyViolation } from "./errors.ts";
import { readRequirements } from "./requirements-file.ts";

/**
 * A setting pip would take from its environment (a `PIP_*` variable or a configuration file) that is, or can
 * carry, a package source.
 */
export interface AmbientIndexSetting {
  /**
   * pip's normalised option name: `index-url`, `extra-index-url`, `find-links`, `no-index`, or `constraint` /
   * `requirement` (files whose option lines pip applies too).
   */
  key: string;
  value: string;
  /** The variable's exact name, for a variable. */
  variable?: string;
  /** The file, its kind as `pip config debug` names it, and the section, for a configuration file. */
  file?: { path: string; variant: "global" | "user" | "site" | "env"; section: string };
}

// pip normalises option names from files and PIP_* names alike (lower case, "_" -> "-", a leading "--" dropped), so
// PIP_extra_index_url and PIP_--EXTRA-INDEX-URL reach the same option; with several, the last in the environment
// wins. Files are the ones pip reads, in its order; `[global]`, `[install]` and `[:env:]` apply to `pip install`.
// The file list only feeds the warning: the override itself does not depend on it.
export const AMBIENT_INDEX_PY = `
def ambient_index_settings():
    import configparser, locale
    KEYS = {"index-url", "extra-index-url", "find-links", "no-index", "constraint", "requirement"}
    def norm(name):
        name = name.lower().replace("_", "-")
        return name[2:] if name.startswith("--") else name
    found = [{"key": norm(k[4:]), "value": v, "variable": k} for k, v in os.environ.items()
             if k.startswith("PIP_") and norm(k[4:]) in KEYS]
    env_file = os.environ.get("PIP_CONFIG_FILE")
    order = []
    try:
        # pip's own directory rules; pip._internal.configuration itself would import requests (a second of CPU).
        from pip._internal.utils.appdirs import site_config_dirs, user_config_dir
        order.append(("global", [os.path.join(d, "pip.conf") for d in site_config_dirs("pip")]))
        if not (env_file and os.path.exists(env_file)):
            order.append(("user", [os.path.join(os.path.expanduser("~"), ".pip", "pip.conf"),
                                   os.path.join(user_config_dir("pip"), "pip.conf")]))
    except Exception:
        pass
    order.append(("site", [os.path.join(sys.prefix, "pip.conf")]))
    order.append(("env", [env_file] if env_file else []))
    if env_file == os.devnull:
        order = []
    for variant, paths in order:
        for path in paths:
            if not os.path.isfile(path):
                continue
            parser = configparser.RawConfigParser()
            try:
                parser.read(path, encoding=locale.getpreferredencoding(False))
            except Exception:
                continue
            for section in ("global", "install", ":env:"):
                if parser.has_section(section):
                    for name, value in parser.items(section):
                        if norm(name) in KEYS:
                            found.append({"key": norm(name), "value": value,
                                          "file": {"path": path, "variant": variant, "section": section}})
    return found
`;

const INDEX_KEYS = new Set(["index-url", "extra-index-url", "find-links", "no-index"]);
const FILE_KEYS = new Set(["constraint", "requirement"]);
const URL = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

function indexSettings(found: AmbientIndexSetting[]): AmbientIndexSetting[] {
  return found.filter((setting) => INDEX_KEYS.has(setting.key));
}

function sourceName(setting: AmbientIndexSetting): string {
  return setting.file
    ? `${setting.file.path} [${setting.file.section}], ${setting.file.variant} config`
    : (setting.variable ?? "environment");
}

/**
 * Source-changing lines in the constraint and requirements files pip's configuration adds: pip applies their
 * `--extra-index-url`, `--find-links`... lines as it does the model's. A file given by URL is one in itself
 * (`line` 0). Relative paths are pip's, against the working directory; a file that cannot be read is pip's to report.
 */
export async function ambientFileViolations(
  found: AmbientIndexSetting[],
  cwd: string | undefined,
): Promise<PolicyViolation[]> {
  const violations: PolicyViolation[] = [];
  for (const setting of found.filter((s) => FILE_KEYS.has(s.key))) {
    for (const value of setting.value.split(/\s+/).filter(Boolean)) {
      if (URL.test(value)) {
        violations.push({ file: sourceName(setting), line: 0, option: `${setting.key} file from a URL` });
        continue;
      }
      const read = await readRequirements(resolve(cwd ?? ".", value)).catch(() => undefined);
      violations.push(...(read?.violations ?? []));
    }
  }
  return violations;
}

/**
 * Variables for pip's environment that leave the private index (`--index-url` on the command line) as the only
 * source. Every variable that names an index option is removed. Configuration files stay read (their certificate,
 * proxy, timeouts and constraints apply), but their index options are replaced from the environment, which pip
 * applies last: a value of one space is not "empty" to pip's loader (empty values are skipped, and would not
 * replace a file's), and splits into an empty list of URLs.
 */
export function indexOverrideEnv(found: AmbientIndexSetting[]): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const setting of indexSettings(found))
    if (setting.variable !== undefined) env[setting.variable] = undefined;
  return { ...env, PIP_EXTRA_INDEX_URL: " ", PIP_FIND_LINKS: " ", PIP_NO_INDEX: "false" };
}

/** One line naming each overridden setting, its source and its value (credentials redacted); undefined for none. */
export function describeOverrides(found: AmbientIndexSetting[]): string | undefined {
  const shown = indexSettings(found).filter((setting) => setting.value.trim() !== "");
  if (shown.length === 0) return undefined;
  const parts = shown.map(
    (setting) => `${setting.key} = ${redact(setting.value.trim())} (${sourceName(setting)})`,
  );
  return `the private index is the only package source; ambient pip settings overridden: ${parts.join("; ")}`;
}

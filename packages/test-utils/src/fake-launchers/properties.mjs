// Parses config files the way the fake server's Java side (java.util.Properties) and the Python launchers do.

/** Logical lines of a Java properties file: comments dropped, backslash continuations joined. */
function logicalLines(text) {
  const physical = text.split(/\r\n|\r|\n/);
  const lines = [];
  let pending = null;
  for (const raw of physical) {
    let line = raw.replace(/^[ \t\f]+/, "");
    if (pending === null && (line === "" || line.startsWith("#") || line.startsWith("!"))) continue;
    let backslashes = 0;
    for (let i = line.length - 1; i >= 0 && line[i] === "\\"; i -= 1) backslashes += 1;
    const continues = backslashes % 2 === 1;
    if (continues) line = line.slice(0, -1);
    pending = (pending ?? "") + line;
    if (!continues) {
      lines.push(pending);
      pending = null;
    }
  }
  if (pending !== null) lines.push(pending);
  return lines;
}

function unescape(text) {
  let out = "";
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c !== "\\") {
      out += c;
      continue;
    }
    i += 1;
    const next = text[i];
    if (next === undefined) break;
    if (next === "t") out += "\t";
    else if (next === "n") out += "\n";
    else if (next === "r") out += "\r";
    else if (next === "f") out += "\f";
    else if (next === "u") {
      const hex = text.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new Error("Malformed \\uxxxx encoding.");
      out += String.fromCharCode(Number.parseInt(hex, 16));
      i += 4;
    } else out += next;
  }
  return out;
}

/** java.util.Properties.load semantics: `=`, `:` or whitespace separate key and value; the last duplicate wins. */
export function parseJavaProperties(text) {
  const result = new Map();
  for (const line of logicalLines(text)) {
    let keyEnd = 0;
    let escaped = false;
    for (; keyEnd < line.length; keyEnd += 1) {
      const c = line[keyEnd];
      if (escaped) {
        escaped = false;
        continue;
      }
      if (c === "\\") escaped = true;
      else if (c === "=" || c === ":" || c === " " || c === "\t" || c === "\f") break;
    }
    let valueStart = keyEnd;
    while (valueStart < line.length && /[ \t\f]/.test(line[valueStart])) valueStart += 1;
    if (valueStart < line.length && (line[valueStart] === "=" || line[valueStart] === ":")) {
      valueStart += 1;
      while (valueStart < line.length && /[ \t\f]/.test(line[valueStart])) valueStart += 1;
    }
    result.set(unescape(line.slice(0, keyEnd)), unescape(line.slice(valueStart)));
  }
  return result;
}

/** The Python launchers' naive reader: split at the first `=`, `#` comments only, values trimmed. */
export function parseLauncherProperties(text) {
  const result = new Map();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq < 0) continue;
    result.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return result;
}

/** ConfigManager's `$$NAME$$` substitution; throws the message MMS prints for an unset variable. */
export function substituteEnv(properties, env) {
  const out = new Map();
  for (const [key, value] of properties) {
    out.set(
      key,
      value.replace(/\$\$([^$]+)\$\$/g, (_, name) => {
        const replacement = env[name];
        if (replacement === undefined) throw new Error(`Invalid Environment Variable ${name}`);
        return replacement;
      }),
    );
  }
  return out;
}

/**
 * Parses `http(s)://host[:port]` or `unix:/path` like the servers' Connector; MMS rejects ports >= 32767.
 * Returns `{ scheme, host, port, path }`.
 */
export function parseAddress(address, { defaultPort, flavor }) {
  if (address.startsWith("unix:")) return { scheme: "unix", path: address.slice(5) };
  const match = /^(https?):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(address);
  if (!match) throw new Error(`Invalid binding address: ${address}`);
  const port = match[3] === undefined ? defaultPort : Number(match[3]);
  if (flavor === "mms" && port >= 32767) throw new Error(`Invalid port number: ${address}`);
  if (port > 65535) throw new Error(`Invalid port number: ${address}`);
  return { scheme: match[1], host: match[2].replace(/^\[|\]$/g, ""), port };
}

/**
 * Just enough of log4j2's XML configuration for the log-config tests: a strict reader for the subset our two files
 * use (elements, double-quoted attributes, comments, the XML declaration; any other text is an error), and
 * log4j2's routing of one event through the `<Loggers>`.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
}

const TOKEN =
  /<!--[\s\S]*?-->|<\?xml[^?]*\?>|<(\/?)([A-Za-z][\w.-]*)((?:\s+[A-Za-z][\w.-]*="[^"<]*")*)\s*(\/?)>/g;
const ATTRIBUTE = /([A-Za-z][\w.-]*)="([^"<]*)"/g;
const ENTITIES: Record<string, string> = {
  "&lt;": "<",
  "&gt;": ">",
  "&amp;": "&",
  "&quot;": '"',
  "&apos;": "'",
};

/** Parses `text`; throws on anything outside the subset, on mismatched tags and on duplicate attributes. */
export function parseXml(text: string): XmlElement {
  const root: XmlElement = { name: "#document", attributes: {}, children: [] };
  const stack = [root];
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    const between = text.slice(last, match.index);
    if (between.trim() !== "")
      throw new Error(`unexpected text ${JSON.stringify(between.trim())} at ${last}`);
    last = match.index + match[0].length;
    const [, closing, name, attributeText, selfClosing] = match;
    if (name === undefined) continue; // comment or declaration
    if (closing) {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name}>`);
      continue;
    }
    const attributes: Record<string, string> = {};
    for (const [, key, value] of attributeText!.matchAll(ATTRIBUTE)) {
      if (key! in attributes) throw new Error(`<${name}> repeats ${key}`);
      attributes[key!] = value!.replace(/&(lt|gt|amp|quot|apos);/g, (entity) => ENTITIES[entity]!);
    }
    const element: XmlElement = { name: name!, attributes, children: [] };
    stack.at(-1)!.children.push(element);
    if (!selfClosing) stack.push(element);
  }
  if (text.slice(last).trim() !== "")
    throw new Error(`unexpected text at the end: ${text.slice(last).trim()}`);
  if (stack.length !== 1) throw new Error(`<${stack.at(-1)!.name}> is never closed`);
  if (root.children.length !== 1) throw new Error("expected exactly one root element");
  return root.children[0]!;
}

export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

export function onlyChild(element: XmlElement, name: string): XmlElement {
  const found = childrenNamed(element, name);
  if (found.length !== 1) throw new Error(`<${element.name}> has ${found.length} <${name}>, expected one`);
  return found[0]!;
}

const LEVELS = ["all", "trace", "debug", "info", "warn", "error", "fatal", "off"] as const;
export type Level = Exclude<(typeof LEVELS)[number], "all" | "off">;

interface LoggerConfig {
  name: string;
  level: (typeof LEVELS)[number];
  additive: boolean;
  refs: string[];
}

function loggerConfigs(configuration: XmlElement): { loggers: LoggerConfig[]; root: LoggerConfig } {
  const loggersElement = onlyChild(configuration, "Loggers");
  const read = (element: XmlElement, name: string): LoggerConfig => {
    const level = (element.attributes.level ?? "error").toLowerCase() as LoggerConfig["level"];
    if (!LEVELS.includes(level)) throw new Error(`logger ${name}: unknown level ${level}`);
    return {
      name,
      level,
      additive: element.attributes.additivity !== "false",
      refs: childrenNamed(element, "AppenderRef").map((ref) => ref.attributes.ref!),
    };
  };
  const loggers = childrenNamed(loggersElement, "Logger").map((element) =>
    read(element, element.attributes.name!),
  );
  return { loggers, root: read(onlyChild(loggersElement, "Root"), "") };
}

/** The configured logger that is `name` or its nearest dotted ancestor, as log4j2 picks it. */
function configFor(loggers: LoggerConfig[], root: LoggerConfig, name: string): LoggerConfig {
  let candidate = name;
  for (;;) {
    const found = loggers.find((logger) => logger.name === candidate);
    if (found !== undefined) return found;
    const dot = candidate.lastIndexOf(".");
    if (dot < 0) return root;
    candidate = candidate.slice(0, dot);
  }
}

/**
 * The appenders (by name, repeats kept) an event of `level` on logger `name` reaches: the logger's level decides
 * whether it is logged at all; then its config's appenders, and, while additivity holds, every ancestor config's
 * appenders whatever their levels (log4j2's LoggerConfig passes the event up with no level check).
 */
export function route(configuration: XmlElement, name: string, level: Level): string[] {
  const { loggers, root } = loggerConfigs(configuration);
  let config = configFor(loggers, root, name);
  if (config.level === "off" || LEVELS.indexOf(level) < LEVELS.indexOf(config.level)) return [];
  const reached: string[] = [];
  for (;;) {
    reached.push(...config.refs);
    if (!config.additive || config === root) return reached;
    const dot = config.name.lastIndexOf(".");
    config = dot < 0 ? root : configFor(loggers, root, config.name.slice(0, dot));
  }
}

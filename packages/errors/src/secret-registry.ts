const REGISTRY_KEY = Symbol.for("@sagemaker-serve/errors.secrets");
const MIN_SECRET_LENGTH = 6;

type GlobalWithRegistry = typeof globalThis & { [REGISTRY_KEY]?: Set<string> };

// Kept on globalThis so every copy of this package in one process redacts the same secrets.
function registry(): Set<string> {
  const holder = globalThis as GlobalWithRegistry;
  holder[REGISTRY_KEY] ??= new Set<string>();
  return holder[REGISTRY_KEY];
}

/**
 * Registers a secret (a token, a password) to be replaced by `***` in everything `redact()` sees from now on.
 * Its URL-encoded forms are registered too. Values shorter than 6 characters are refused with a TypeError,
 * because redacting them would garble ordinary text.
 */
export function registerSecret(secret: string): void {
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH) {
    throw new TypeError(
      `registerSecret: a secret must be a string of at least ${MIN_SECRET_LENGTH} characters`,
    );
  }
  const secrets = registry();
  secrets.add(secret);
  for (const variant of [encodeURIComponent(secret), encodeURI(secret)]) {
    if (variant !== secret) secrets.add(variant);
  }
}

/** Forgets a secret and its encoded forms. */
export function unregisterSecret(secret: string): void {
  const secrets = registry();
  secrets.delete(secret);
  secrets.delete(encodeURIComponent(secret));
  secrets.delete(encodeURI(secret));
}

/** Forgets every registered secret (for tests and long-lived hosts that rotate tokens). */
export function clearSecrets(): void {
  registry().clear();
}

/** The registered secrets, longest first so a secret that contains another is replaced whole. */
export function registeredSecrets(): string[] {
  return [...registry()].sort((a, b) => b.length - a.length);
}

// Parts of a name that mark its value as a secret.
const SECRET_NAME =
  /KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|PWD|CREDENTIAL|AUTH|PRIVATE|COOKIE|SESSION|SIGNATURE|CERT|SALT|DSN/i;

/**
 * Whether a variable or flag name looks like it holds a secret (`API_KEY`, `GITHUB_TOKEN`,
 * `DB_PASSWORD`, `--auth-token`...). Such values are never collected, allowlisted or not.
 *
 * @param name - an environment variable or command-line flag name
 * @returns true when the value must not be collected
 */
export function looksSecret(name: string): boolean {
  // `PWD` (the working directory) is harmless; `OLDPWD` too.
  if (name === "PWD" || name === "OLDPWD") return false;
  return SECRET_NAME.test(name);
}

/** What replaces a secret value. */
export const REDACTED = "[redacted]";

/**
 * Redacts the values of secret-looking flags in a command line: `--token=abc` and
 * `--token abc` both keep the flag and lose the value.
 *
 * @param argv - the arguments
 * @returns a copy with secret values replaced by {@link REDACTED}
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  let redactNext = false;
  for (const arg of argv) {
    if (redactNext && !arg.startsWith("-")) {
      out.push(REDACTED);
      redactNext = false;
      continue;
    }
    redactNext = false;
    const flag = /^--?([^=\s]+)(=)?/.exec(arg);
    if (flag && looksSecret(flag[1])) {
      if (flag[2]) out.push(`${arg.slice(0, arg.indexOf("=") + 1)}${REDACTED}`);
      else {
        out.push(arg);
        redactNext = true;
      }
      continue;
    }
    out.push(hideUrlCredentials(arg));
  }
  return out;
}

/**
 * Whether a name matches an allowlist entry: exact, or a prefix ending in `*` (`SLURM_*`).
 *
 * @param name - a variable name
 * @param allowlist - names and prefixes
 * @returns true when allowed
 */
export function allowed(name: string, allowlist: readonly string[]): boolean {
  return allowlist.some((entry) => (entry.endsWith("*") ? name.startsWith(entry.slice(0, -1)) : name === entry));
}

/**
 * Hides the `user:password@` part of every URL inside a value (`postgres://u:p@host/db` →
 * `postgres://[redacted]@host/db`), wherever it stands: a whole value, a `--flag=url`, or a URL
 * among other words.
 *
 * @param value - an argv item or an environment value
 * @returns the value without URL credentials
 */
export function hideUrlCredentials(value: string): string {
  return value.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]*:[^\s/@]*@/gi, `$1${REDACTED}@`);
}

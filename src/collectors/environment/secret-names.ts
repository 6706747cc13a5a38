// Parts of a name that mark its value as a secret, wherever they stand in it (`PGPASS`,
// `DOCKER_PASS`, `X_API_KEY`, `--bearer-token`).
const SECRET_PART =
  /KEY|TOKEN|SECRET|PASS|PWD|CREDENTIAL|CREDS|AUTH|PRIVATE|COOKIE|SESSION|SIGNATURE|CERT|SALT|DSN|BEARER|JWT|HMAC/i;
// Short words that mark a secret only as a whole word of the name: `GH_PAT` and `--sig` are
// secrets, `PATH` and `SIGNAL` are not. `P` and `PW` are the password flags of common tools
// (`mysql -p`, `-pw`).
const SECRET_WORDS: ReadonlySet<string> = new Set(["PAT", "SIG", "SIGN", "OTP", "PIN", "P", "PW", "PSK", "MFA"]);

/**
 * Whether a variable or flag name looks like it holds a secret (`API_KEY`, `GITHUB_TOKEN`,
 * `DB_PASSWORD`, `PGPASS`, `GH_PAT`, `--auth-token`, `--bearer`, `--jwt`, `--sig`, `-p`...).
 * Such values are never collected, allowlisted or not. Errs on the side of hiding.
 *
 * @param name - an environment variable or command-line flag name (without its dashes)
 * @returns true when the value must not be collected
 */
export function looksSecret(name: string): boolean {
  // `PWD` (the working directory) is harmless; `OLDPWD` too.
  if (name === "PWD" || name === "OLDPWD") return false;
  if (SECRET_PART.test(name)) return true;
  // Words of the name: split at `_`, `-`, `.`, spaces and camelCase humps.
  const words = name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").split(/[_\-.\s]+/);
  return words.some((w) => SECRET_WORDS.has(w.toUpperCase()));
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
    // The value after a secret flag is hidden even when it starts with one dash (`-x9f...`):
    // only a long flag ends the wait.
    if (redactNext && !arg.startsWith("--")) {
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

/**
 * Removes credentials from a git remote URL: the user and password of a `scheme://` URL and
 * its query string (where tokens sometimes travel). The scp-like form `git@host:path` has no
 * password and is kept.
 *
 * @param url - the remote URL as git prints it
 * @returns the URL without credentials
 * @example
 * ```ts
 * stripCredentials("https://user:ghp_x@github.com/a/b.git"); // "https://github.com/a/b.git"
 * ```
 */
export function stripCredentials(url: string): string {
  const trimmed = url.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) return trimmed;
  try {
    const parsed = new URL(trimmed);
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    parsed.hash = "";
    return parsed.toString();
  } catch {
    // Not a URL the WHATWG parser takes: cut the user info by hand.
    return trimmed.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1").replace(/\?.*$/, "");
  }
}

/** An error answered by the tracking server (`{ error_code, message }`), or a failed request. */
export class MlflowRequestError extends Error {
  /**
   * @param message - what failed (never the token)
   * @param status - the HTTP status (0 when no answer came)
   * @param errorCode - MLflow's `error_code`, when it sent one
   */
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode?: string,
  ) {
    super(message);
    this.name = "MlflowRequestError";
  }

  /** True for an answer that a retry cannot change (4xx other than 408 and 429). */
  get permanent(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 408 && this.status !== 429;
  }
}

/** A minimal client of the MLflow REST API 2.0 over `fetch`. */
export class MlflowClient {
  private readonly headers: Record<string, string>;

  /**
   * @param baseUrl - the tracking server's URL, without a trailing slash
   * @param token - a bearer token, if any
   * @param timeoutMs - per-request deadline
   */
  constructor(
    private readonly baseUrl: string,
    token: string | undefined,
    private readonly timeoutMs: number,
  ) {
    this.headers = { "content-type": "application/json" };
    if (token) this.headers.authorization = `Bearer ${token}`;
  }

  /**
   * Calls `/api/2.0/mlflow/<path>`.
   *
   * @param method - GET or POST
   * @param path - e.g. `runs/log-batch`
   * @param body - the JSON body (POST) or query parameters (GET)
   * @returns the parsed answer
   * @throws MlflowRequestError on a non-2xx answer, a timeout or a network failure
   */
  async call<T>(method: "GET" | "POST", path: string, body: Record<string, unknown> | string): Promise<T> {
    let url = `${this.baseUrl}/api/2.0/mlflow/${path}`;
    if (method === "GET") url += `?${new URLSearchParams(body as Record<string, string>)}`;
    const text = await this.send(url, {
      method,
      headers: this.headers,
      body: method === "POST" ? (typeof body === "string" ? body : JSON.stringify(body)) : undefined,
    });
    return (text === "" ? {} : JSON.parse(text)) as T;
  }

  /**
   * Uploads a file through the `mlflow-artifacts` proxy (`PUT /api/2.0/mlflow-artifacts/artifacts/<path>`).
   *
   * @param path - the artifact's path under the artifact root, `/`-separated
   * @param data - the file's bytes
   * @throws MlflowRequestError as {@link MlflowClient.call}
   */
  async putArtifact(path: string, data: Uint8Array): Promise<void> {
    const encoded = path.split("/").map(encodeURIComponent).join("/");
    await this.send(`${this.baseUrl}/api/2.0/mlflow-artifacts/artifacts/${encoded}`, {
      method: "PUT",
      headers: { ...this.headers, "content-type": "application/octet-stream" },
      body: data as Uint8Array<ArrayBuffer>,
    });
  }

  private async send(url: string, init: RequestInit): Promise<string> {
    // Only an error names the request: parsing the URL is not paid per request.
    const what = () => `${init.method} ${new URL(url).pathname}`;
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (error) {
      // The cause (a DNS, socket or timeout error) names the host, never the token.
      const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
      throw new MlflowRequestError(`MLflow ${what()}: no answer (${reason})`, 0);
    }
    const text = await response.text();
    if (response.ok) return text;
    let code: string | undefined;
    let message = text.slice(0, 500);
    try {
      const parsed = JSON.parse(text) as { error_code?: string; message?: string };
      code = parsed.error_code;
      message = parsed.message ?? message;
    } catch {
      // not JSON (a proxy's error page): keep the text
    }
    throw new MlflowRequestError(
      `MLflow ${what()}: ${response.status} ${code ?? ""} ${message}`.trim(),
      response.status,
      code,
    );
  }
}

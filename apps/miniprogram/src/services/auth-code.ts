import { ApiError } from "./api-error.ts";
import { isNetworkError, sendHttp, type RequestFunction } from "./http.ts";
import type { StoredString } from "./storage.ts";

/** Where the auth code for `POST /api/v1/sessions` comes from. */
export type AuthCodeSource = { obtain(): Promise<string> };

/** Real mode: the Alipay app asks the user (silent for auth_base) and gives a code for alipay.system.oauth.token. */
export function alipayAuthCodes(getAuthCode: typeof my.getAuthCode): AuthCodeSource {
  return {
    async obtain() {
      try {
        const { authCode } = await getAuthCode({ scopes: "auth_base" });
        if (authCode) return authCode;
      } catch {
        // The user declined, or the client could not ask: both end the same way.
      }
      throw new ApiError({ code: "AUTH_CANCELLED", message: "my.getAuthCode gave no auth code" });
    },
  };
}

/**
 * Development mode: my.getAuthCode in the IDE returns codes of the real Alipay, which the local sandbox does not know.
 * So the app plays a sandbox buyer: it creates one once (`POST /sandbox/users`, id kept in storage) and asks the
 * sandbox for a one-time auth code for it (`POST /sandbox/auth-codes`). The server exchanges it with the sandbox's
 * alipay.system.oauth.token exactly as it would a real one.
 */
export type SandboxBuyer = AuthCodeSource & { userId(): Promise<string> };

export function sandboxAuthCodes(options: {
  request: RequestFunction;
  sandboxUrl: string;
  userIdStore: StoredString;
}): SandboxBuyer {
  const { request, sandboxUrl, userIdStore } = options;

  const post = async (path: string, body: unknown) => {
    try {
      return await sendHttp(request, { url: `${sandboxUrl}${path}`, method: "POST", body });
    } catch (error) {
      if (isNetworkError(error)) {
        throw new ApiError({
          code: "NETWORK",
          message: `the sandbox at ${sandboxUrl} did not answer: ${error.message}`,
        });
      }
      throw error;
    }
  };

  const createUser = async (): Promise<string> => {
    const answer = await post("/sandbox/users", {});
    const userId = (answer.json as { userId?: unknown } | null)?.userId;
    if (answer.status !== 201 && answer.status !== 200) throw sandboxError("create a sandbox buyer", answer.status);
    if (typeof userId !== "string") throw sandboxError("read the sandbox buyer", answer.status);
    await userIdStore.write(userId);
    return userId;
  };

  const userId = async () => (await userIdStore.read()) ?? (await createUser());

  const codeFor = async (id: string) => {
    const answer = await post("/sandbox/auth-codes", { userId: id });
    const authCode = (answer.json as { authCode?: unknown } | null)?.authCode;
    return { status: answer.status, authCode: typeof authCode === "string" ? authCode : null };
  };

  return {
    userId,
    async obtain() {
      const first = await codeFor(await userId());
      if (first.authCode) return first.authCode;
      // The sandbox forgot the buyer (reset, new state file): make a new one.
      if (first.status !== 404) throw sandboxError("get a sandbox auth code", first.status);
      const second = await codeFor(await createUser());
      if (second.authCode) return second.authCode;
      throw sandboxError("get a sandbox auth code", second.status);
    },
  };
}

function sandboxError(what: string, status: number): ApiError {
  return new ApiError({ code: "BAD_RESPONSE", status, message: `could not ${what} (HTTP ${status})` });
}

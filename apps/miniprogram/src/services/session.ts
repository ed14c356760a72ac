import { CUSTOMER_API_PATHS, type CreateSessionBody, type Session } from "@paysign/contracts/mini";
import { ApiError, apiErrorFromBody } from "./api-error.ts";
import type { AuthCodeSource } from "./auth-code.ts";
import { isNetworkError, sendHttp, type RequestFunction } from "./http.ts";
import type { StoredString } from "./storage.ts";

/** The customer's session token: from storage, or a new sign-in (auth code → `POST /api/v1/sessions`). */
export type SessionService = {
  /** The stored token, signing in first when there is none. */
  token(): Promise<string>;
  /** Forgets the token (the API answered 401) and signs in again. */
  renew(): Promise<string>;
};

export function createSessionService(options: {
  request: RequestFunction;
  apiBaseUrl: string;
  authCodes: AuthCodeSource;
  tokenStore: StoredString;
}): SessionService {
  const { request, apiBaseUrl, authCodes, tokenStore } = options;
  let signingIn: Promise<string> | null = null;

  const postAuthCode = async () => {
    const body: CreateSessionBody = { authCode: await authCodes.obtain() };
    try {
      return await sendHttp(request, { url: `${apiBaseUrl}${CUSTOMER_API_PATHS.sessions}`, method: "POST", body });
    } catch (error) {
      if (isNetworkError(error)) throw new ApiError({ code: "NETWORK", message: error.message });
      throw error;
    }
  };

  const signIn = async (): Promise<string> => {
    let answer = await postAuthCode();
    // An auth code works once. Alipay may have spent it on a request whose answer the server lost (its HTTP client
    // then sends the same code again, which Alipay refuses): one more try with a fresh code.
    if (answer.status === 401) answer = await postAuthCode();
    if (answer.status !== 201) throw apiErrorFromBody(answer.status, answer.json);
    const token = (answer.json as Partial<Session> | null)?.token;
    if (typeof token !== "string") throw new ApiError({ code: "BAD_RESPONSE", status: 201, message: "no token" });
    await tokenStore.write(token);
    return token;
  };

  // One sign-in at a time: pages loading together must not spend two auth codes.
  const signInOnce = () => {
    if (signingIn) return signingIn;
    const done = () => {
      signingIn = null;
    };
    // then(…, …) rather than finally: Promise.prototype.finally is ES2018 and not on every client engine.
    signingIn = signIn().then(
      (token) => {
        done();
        return token;
      },
      (error: unknown) => {
        done();
        throw error;
      },
    );
    return signingIn;
  };

  return {
    async token() {
      return (await tokenStore.read()) ?? (await signInOnce());
    },
    async renew() {
      await tokenStore.remove();
      return signInOnce();
    },
  };
}

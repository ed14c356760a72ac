import type { BuildConfig } from "../config.ts";
import { appGlobal } from "../runtime/sign-relay.ts";
import { createApiClient, type ApiClient } from "./api-client.ts";
import { alipayAuthCodes, sandboxAuthCodes } from "./auth-code.ts";
import { createSessionService } from "./session.ts";
import { alipaySignCenter, sandboxSignCenter, type SignCenter } from "./sign-center.ts";
import { STORAGE_KEYS, storedString } from "./storage.ts";

export type Services = { config: BuildConfig; api: ApiClient; signCenter: SignCenter };

export type MyApi = Pick<
  typeof my,
  "request" | "getAuthCode" | "paySignCenter" | "getStorage" | "setStorage" | "removeStorage" | "navigateTo"
>;

/** Everything a page needs, wired for the build's mode. */
export function createServices(config: BuildConfig, api: MyApi): Services {
  const request: MyApi["request"] = (options) => api.request(options);
  const tokenStore = storedString(api, STORAGE_KEYS.sessionToken);
  switch (config.mode) {
    case "real": {
      const session = createSessionService({
        request,
        apiBaseUrl: config.apiBaseUrl,
        authCodes: alipayAuthCodes((options) => api.getAuthCode(options)),
        tokenStore,
      });
      return {
        config,
        api: createApiClient({ request, apiBaseUrl: config.apiBaseUrl, session }),
        signCenter: alipaySignCenter((options) => api.paySignCenter(options)),
      };
    }
    case "development": {
      if (!config.sandboxUrl) throw new RangeError("a development build needs sandboxUrl");
      const buyer = sandboxAuthCodes({
        request,
        sandboxUrl: config.sandboxUrl,
        userIdStore: storedString(api, STORAGE_KEYS.devUserId),
      });
      const session = createSessionService({ request, apiBaseUrl: config.apiBaseUrl, authCodes: buyer, tokenStore });
      return {
        config,
        api: createApiClient({ request, apiBaseUrl: config.apiBaseUrl, session }),
        signCenter: sandboxSignCenter({
          sandboxUrl: config.sandboxUrl,
          buyerId: () => buyer.userId(),
          relay: () => appGlobal().signRelay,
          navigateTo: (options) => api.navigateTo(options),
        }),
      };
    }
    default: {
      const unknownMode: never = config.mode;
      throw new RangeError(`unknown mode ${String(unknownMode)}`);
    }
  }
}

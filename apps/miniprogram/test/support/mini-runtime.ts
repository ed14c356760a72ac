import { readFile } from "node:fs/promises";
import path from "node:path";
import { runInThisContext } from "node:vm";
import { defined } from "@paysign/test-kit";
import { vi } from "vitest";
import { PAGES, pagesFor, type PagePath } from "../../src/app-pages.ts";
import type { BuildConfig } from "../../src/config.ts";
import { es5Dist, runsOnEs5Dist } from "./es5-build.ts";

/**
 * Plays the Alipay mini program runtime for tests: `App`/`Page`/`getApp` registration, page instances with
 * `setData` merging (paths like `a.b` and `list[0].c` too), lifecycle (onLoad → onShow, onUnload), the page stack
 * (my.navigateTo / redirectTo / navigateBack / reLaunch) and every `my.*` call recorded. No Alipay simulator exists
 * (docs/toolchain-facts.md), so the pages' real modules are loaded against these globals, exactly as built.
 */

export type RequestRecord = {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** The JSON body, parsed; undefined when none was sent. */
  body: unknown;
};

export type HttpReply = { status: number; body?: unknown; text?: string };

/** What answers my.request; throwing `networkFailure()` plays a request that got no response. */
export type HttpBackend = (request: RequestRecord) => HttpReply | Promise<HttpReply>;

export type PaySignArgs = { signStr: string };
export type PaySignReply = { resultStatus: string; result: string };

export type RuntimeOptions = {
  config: BuildConfig;
  http: HttpBackend;
  getAuthCode?: () => Promise<{ authCode: string }>;
  /** What my.canIUse answers (default: every API exists). */
  canIUse?: (name: string) => boolean;
  paySignCenter?: (args: PaySignArgs) => Promise<PaySignReply>;
  /** The answer of my.confirm dialogs (default: the user confirms). */
  confirm?: () => boolean;
};

type MyCall = { api: string; args: unknown };

type PageOptionsObject = Record<string, unknown> & { data: Record<string, unknown> };

export type PageHandle = {
  route: PagePath;
  query: Record<string, string>;
  instance: Record<string, unknown> & { data: Record<string, unknown> };
  readonly data: Record<string, unknown>;
  /** Calls a page method as the runtime would (an event handler, a lifecycle hook). */
  call(method: string, ...args: unknown[]): unknown;
  /** A tap on an element bound with `onTap="<method>"` and `data-*` attributes. */
  tap(method: string, dataset?: Record<string, string>): unknown;
  unloaded: boolean;
};

const PAGE_MODULES: Record<PagePath, () => Promise<unknown>> = {
  [PAGES.plans]: () => import("../../src/pages/plans/index.ts"),
  [PAGES.agreement]: () => import("../../src/pages/agreement/index.ts"),
  [PAGES.agreements]: () => import("../../src/pages/agreements/index.ts"),
  [PAGES.signWebview]: () => import("../../src/pages/sign-webview/index.ts"),
};

/**
 * Loads a page module (or app.js) the way this run tests it: the TypeScript source, or — in the `miniprogram-es5`
 * project — the built script of an ES5 `dist/`, run as the engine runs it (a plain script over the globals).
 */
async function loadScript(config: BuildConfig, entry: "app" | PagePath): Promise<void> {
  if (!runsOnEs5Dist) {
    await (entry === "app" ? import("../../src/app.ts") : PAGE_MODULES[entry]());
    return;
  }
  const file = path.join(await es5Dist(config), `${entry}.js`);
  runInThisContext(await readFile(file, "utf8"), { filename: file });
}

class NetworkFailure extends Error {}

/** How Alipay's my.* APIs fail: with a plain `{ error, errorMessage, … }` object, not an Error. */
export function alipayFailure(failure: { error: number; errorMessage: string } & Record<string, unknown>): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- the platform throws a plain object; pages must see the same
  throw failure;
}
export const networkFailure = () => new NetworkFailure("connection refused");

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.replace(/\[(\d+)\]/g, ".$1").split(".");
  let node: Record<string, unknown> = target;
  keys.slice(0, -1).forEach((key, index) => {
    if (node[key] === null || typeof node[key] !== "object") node[key] = /^\d+$/.test(keys[index + 1] ?? "") ? [] : {};
    node = node[key] as Record<string, unknown>;
  });
  node[defined(keys.at(-1), `the last key of ${path}`)] = value;
}

function parseUrl(url: string): { route: string; query: Record<string, string> } {
  const [pathPart = "", queryPart = ""] = url.split("?");
  const query: Record<string, string> = {};
  for (const pair of queryPart.split("&").filter(Boolean)) {
    const [key = "", value = ""] = pair.split("=");
    query[decodeURIComponent(key)] = decodeURIComponent(value);
  }
  return { route: pathPart.replace(/^\//, ""), query };
}

/** Stubs the globals, loads app.js, opens the home page; call `vi.unstubAllGlobals()` after each test. */
export async function launchMiniProgram(options: RuntimeOptions) {
  const calls: MyCall[] = [];
  const requests: RequestRecord[] = [];
  const storage = new Map<string, unknown>();
  const stack: PageHandle[] = [];
  const pending = new Set<Promise<unknown>>();
  /** Rejections of page handlers: a real runtime would log them as unhandled; here they fail `settle()`. */
  const failures: unknown[] = [];
  const registered = new Map<string, PageOptionsObject>();
  const appPages = pagesFor(options.config.mode);
  let appInstance: Record<string, unknown> | null = null;
  let loadingRoute: string | null = null;
  let authCodes = 0;

  const track = <T>(value: T): T => {
    if (value instanceof Promise) {
      const settled: Promise<unknown> = value.then(
        (): void => void pending.delete(settled),
        (error: unknown): void => {
          failures.push(error);
          pending.delete(settled);
        },
      );
      pending.add(settled);
    }
    return value;
  };

  /** A my.* API: recorded, promise-returning, and calling success / fail / complete like the real ones. */
  const api =
    <A extends Record<string, unknown> | undefined, R>(name: string, run: (args: A) => R | Promise<R>) =>
    (args: A): Promise<R> => {
      calls.push({ api: name, args });
      const callbacks = (args ?? {}) as {
        success?(value: R): void;
        fail?(error: unknown): void;
        complete?(value: unknown): void;
      };
      const result = Promise.resolve().then(() => run(args));
      result.then(
        (value) => {
          callbacks.success?.(value);
          callbacks.complete?.(value);
        },
        (error: unknown) => {
          callbacks.fail?.(error);
          callbacks.complete?.(error);
        },
      );
      return result;
    };

  const makeHandle = (route: PagePath, query: Record<string, string>): PageHandle => {
    const optionsObject = registered.get(route);
    if (!optionsObject) throw new Error(`${route} did not register a Page`);
    const instance: PageHandle["instance"] = {
      ...optionsObject,
      data: structuredClone(optionsObject.data),
      route,
    };
    instance.setData = (patch: Record<string, unknown>, callback?: () => void) => {
      calls.push({ api: `${route}#setData`, args: patch });
      // The render layer receives a copy: functions or class instances in data would fail here as they do there.
      const copy = structuredClone(patch);
      for (const key of Object.keys(copy)) setPath(instance.data, key, copy[key]);
      callback?.();
    };
    const handle: PageHandle = {
      route,
      query,
      instance,
      unloaded: false,
      get data() {
        return instance.data;
      },
      call(method, ...args) {
        const fn = instance[method];
        if (typeof fn !== "function") throw new Error(`${route} has no method ${method}`);
        return track((fn as (...a: unknown[]) => unknown).apply(instance, args));
      },
      tap(method, dataset = {}) {
        return handle.call(method, { type: "tap", currentTarget: { dataset }, target: { dataset } });
      },
    };
    return handle;
  };

  const loadPage = async (route: string): Promise<PagePath> => {
    if (!appPages.includes(route as PagePath)) {
      alipayFailure({ error: 1, errorMessage: `page ${route} is not in app.json` });
    }
    const page = route as PagePath;
    if (!registered.has(page)) {
      loadingRoute = page;
      await loadScript(options.config, page);
      loadingRoute = null;
    }
    return page;
  };

  const lifecycle = (handle: PageHandle, hook: "onLoad" | "onShow" | "onUnload", arg?: unknown) => {
    if (hook === "onUnload") handle.unloaded = true;
    if (typeof handle.instance[hook] === "function") handle.call(hook, ...(arg === undefined ? [] : [arg]));
  };

  const open = async (url: string) => {
    const { route, query } = parseUrl(url);
    const page = await loadPage(route);
    const handle = makeHandle(page, query);
    stack.push(handle);
    lifecycle(handle, "onLoad", query);
    lifecycle(handle, "onShow");
    return handle;
  };

  const unloadTop = () => {
    const top = stack.pop();
    if (top) lifecycle(top, "onUnload");
  };

  const my = {
    request: api("request", async (args: Parameters<typeof globalThis.my.request>[0]) => {
      const headers = { ...(args.headers ?? args.header ?? {}) };
      const record: RequestRecord = {
        url: args.url,
        method: args.method ?? "GET",
        headers,
        body: typeof args.data === "string" ? JSON.parse(args.data) : args.data,
      };
      requests.push(record);
      let reply: HttpReply;
      try {
        reply = await options.http(record);
      } catch (error) {
        if (error instanceof NetworkFailure) alipayFailure({ error: 12, errorMessage: "network error" });
        throw error;
      }
      const text = reply.text ?? (reply.body === undefined ? "" : JSON.stringify(reply.body));
      const data = args.dataType === "text" ? text : text ? (JSON.parse(text) as unknown) : "";
      const answer = { data, status: reply.status, statusCode: reply.status, headers: {}, header: {} };
      // Alipay's clients fail a non-2xx answer with error 19 and keep the response on the error.
      if (reply.status < 200 || reply.status >= 300)
        alipayFailure({ error: 19, errorMessage: "http status error", ...answer });
      return answer;
    }),
    getAuthCode: api("getAuthCode", async () => {
      if (options.getAuthCode) return options.getAuthCode();
      authCodes += 1;
      return { authCode: `auth-code-${authCodes}`, authSuccessScopes: ["auth_base"], authErrorScopes: {} };
    }),
    paySignCenter: api("paySignCenter", async (args: PaySignArgs) => {
      if (!options.paySignCenter) alipayFailure({ error: 2, errorMessage: "paySignCenter is not available here" });
      return options.paySignCenter(args);
    }),
    getStorage: api("getStorage", (args: { key: string }) => ({ data: storage.get(args.key) ?? null })),
    setStorage: api("setStorage", (args: { key: string; data: unknown }) => {
      storage.set(args.key, structuredClone(args.data));
    }),
    removeStorage: api("removeStorage", (args: { key: string }) => {
      storage.delete(args.key);
      return { success: true };
    }),
    navigateTo: api("navigateTo", async (args: { url: string }) => {
      await open(args.url);
      return {};
    }),
    redirectTo: api("redirectTo", async (args: { url: string }) => {
      const { route } = parseUrl(args.url);
      await loadPage(route);
      unloadTop();
      await open(args.url);
    }),
    reLaunch: api("reLaunch", async (args: { url: string }) => {
      const { route } = parseUrl(args.url);
      await loadPage(route);
      while (stack.length > 0) unloadTop();
      await open(args.url);
    }),
    navigateBack: api("navigateBack", (args: { delta?: number } | undefined) => {
      const delta = Math.min(Number(args?.delta ?? 1), stack.length - 1);
      for (let i = 0; i < delta; i += 1) unloadTop();
      const top = stack[stack.length - 1];
      if (top) lifecycle(top, "onShow");
    }),
    canIUse: (name: string) => {
      calls.push({ api: "canIUse", args: name });
      return options.canIUse ? options.canIUse(name) : true;
    },
    showToast: api("showToast", () => undefined),
    alert: api("alert", () => undefined),
    confirm: api("confirm", () => ({ confirm: options.confirm ? options.confirm() : true })),
    showLoading: api("showLoading", () => undefined),
    hideLoading: api("hideLoading", () => undefined),
    stopPullDownRefresh: api("stopPullDownRefresh", () => undefined),
  };

  const strictMy = new Proxy(my, {
    get(target, property, receiver) {
      if (typeof property === "string" && !(property in target) && property !== "then") {
        throw new Error(`my.${property} is not played by the test runtime: add it to test/support/mini-runtime.ts`);
      }
      return Reflect.get(target, property, receiver) as unknown;
    },
  });

  vi.resetModules();
  vi.stubGlobal("__PAYSIGN_CONFIG__", options.config);
  vi.stubGlobal("__PAYSIGN_MODE__", options.config.mode);
  vi.stubGlobal("my", strictMy);
  vi.stubGlobal("App", (appOptions: Record<string, unknown>) => {
    if (appInstance) throw new Error("App() called twice");
    appInstance = { ...appOptions };
  });
  vi.stubGlobal("getApp", () => {
    if (!appInstance) throw new Error("getApp() before App()");
    return appInstance;
  });
  vi.stubGlobal("Page", (pageOptions: PageOptionsObject) => {
    if (!loadingRoute) throw new Error("Page() called outside a page module");
    if (registered.has(loadingRoute)) throw new Error(`${loadingRoute} called Page() twice`);
    registered.set(loadingRoute, pageOptions);
  });
  vi.stubGlobal("getCurrentPages", () => stack.map((handle) => handle.instance));

  await loadScript(options.config, "app");
  await open(`/${appPages[0]}`);

  const settle = async (timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (failures.length > 0) throw failures[0];
      if (pending.size === 0) return;
      if (Date.now() > deadline) throw new Error(`the pages did not settle within ${timeoutMs} ms`);
      await Promise.race([Promise.allSettled([...pending]), new Promise((resolve) => setTimeout(resolve, 50))]);
    }
  };

  const waitFor = async (predicate: () => boolean, what: string, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  return {
    calls,
    requests,
    storage,
    stack,
    app: () => appInstance,
    current(): PageHandle {
      const top = stack[stack.length - 1];
      if (!top) throw new Error("no page is open");
      return top;
    },
    routes: () => stack.map((handle) => handle.route),
    settle,
    waitFor,
    callsOf: (name: string) => calls.filter((call) => call.api === name).map((call) => call.args),
    toasts: () =>
      calls.filter((call) => call.api === "showToast").map((call) => call.args as { content?: string; type?: string }),
    alerts: () =>
      calls.filter((call) => call.api === "alert").map((call) => call.args as { title?: string; content?: string }),
    /** The options object a page module registered with Page(), loading the module when needed. */
    async pageOptions(route: PagePath): Promise<Record<string, unknown>> {
      await loadPage(route);
      return defined(registered.get(route), `the options ${route} registered with Page()`);
    },
    /** Opens a page as the Alipay app would from its URL (a deep link); the home page is already open. */
    async navigate(url: string) {
      await my.navigateTo({ url });
      return this.current();
    },
  };
}

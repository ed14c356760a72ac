/**
 * Page options typed for this project. Alipay's own `Page` constructor type is generic over data, extra `this` and
 * extra options in a way that does not infer methods calling each other; these options say what a page holds and
 * `registerPage` hands them to the real `Page`.
 */
export type PageQuery = Record<string, string | undefined>;

export type PageThis<Data> = {
  data: Data;
  setData(patch: Partial<Data>, callback?: () => void): void;
};

export type PageOptions<Data, Methods> = { data: Data } & Methods;

/**
 * `data` apart from the methods so TypeScript infers the methods with `this` typed (the ThisType pattern); the
 * result is the plain options object Alipay's `Page` takes. Lifecycle hooks are methods like any other.
 */
export function definePage<Data, Methods>(
  data: Data,
  methods: Methods & ThisType<PageThis<Data> & Methods>,
): PageOptions<Data, Methods> {
  return { data, ...methods };
}

export function registerPage<Data, Methods>(options: PageOptions<Data, Methods>): void {
  Page(options as unknown as Parameters<typeof Page>[0]);
}

/** What axml passes to a handler bound with `data-*` attributes (`data-plan-id` → `dataset.planId`). */
export type TapEvent = { currentTarget: { dataset: Record<string, string | undefined> } };

/** What a `web-view` passes to `onMessage` when its H5 page calls `my.postMessage(detail)`. */
export type WebViewMessageEvent = { detail: unknown };

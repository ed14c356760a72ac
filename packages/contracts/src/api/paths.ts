/** The customer API paths, free of schemas so the mini program can import them (routes/customer.ts uses them). */
export const CUSTOMER_API_PATHS = {
  sessions: "/api/v1/sessions",
  plans: "/api/v1/plans",
  agreements: "/api/v1/agreements",
  agreement: "/api/v1/agreements/:id",
  signResult: "/api/v1/agreements/:id/sign-result",
  unsign: "/api/v1/agreements/:id/unsign",
} as const;

/** An Express-style `:param` in a path. */
export const PATH_PARAM_PATTERN = /:([A-Za-z0-9_]+)/g;

/** `/api/v1/agreements/:id` + `{ id }` → `/api/v1/agreements/<id, URI-encoded>`. Throws when a param is missing. */
export function buildPath(path: string, params: Readonly<Record<string, string>> = {}): string {
  return path.replace(PATH_PARAM_PATTERN, (_match, name: string) => {
    const value = params[name];
    if (value === undefined) throw new RangeError(`the path ${path} needs a value for :${name}`);
    return encodeURIComponent(value);
  });
}

/** The console's httpOnly, SameSite=Strict session cookie, set by POST /admin/v1/session. */
export const ADMIN_SESSION_COOKIE = "paysign_admin_session";
/**
 * Sent (value `1`) on every state-changing request authenticated by the session cookie: a cross-site form cannot
 * set it, and a cross-site script cannot send it without a CORS preflight this API never grants.
 */
export const ADMIN_CSRF_HEADER = "x-paysign-console";

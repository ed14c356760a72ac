import { useStoryVariant } from "./support/story-variant.ts";

// The whole story with the app in public-key certificate mode (公钥证书, docs/alipay-protocol.md §19.3): the sandbox
// issues the certificates, checks app_cert_sn / alipay_root_cert_sn, and the server runs with ALIPAY_KEY_MODE=cert.
useStoryVariant({ keyMode: "cert", userIdType: "user_id" });
await import("./whole-story.test.ts");

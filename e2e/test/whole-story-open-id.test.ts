import { useStoryVariant } from "./support/story-variant.ts";

// The whole story with an open-id app (docs/alipay-protocol.md §19.1): sign-in, notifications, queries and trade.pay
// answers name the customer by open id only.
useStoryVariant({ keyMode: "key", userIdType: "open_id" });
await import("./whole-story.test.ts");

/**
 * How the whole story's processes are configured (docs/alipay-protocol.md §19): the key mode of the Alipay app —
 * public key (`key`) or public-key certificates (`cert`) — and how the app knows its users (`user_id` or `open_id`).
 * A variant's test file sets it before it loads the story.
 */
export type StoryVariant = { keyMode: "key" | "cert"; userIdType: "user_id" | "open_id" };

let variant: StoryVariant = { keyMode: "key", userIdType: "user_id" };

export function useStoryVariant(chosen: StoryVariant): void {
  variant = chosen;
}

export function storyVariant(): StoryVariant {
  return variant;
}

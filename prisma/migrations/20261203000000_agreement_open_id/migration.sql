-- Open-id apps (docs/alipay-protocol.md §19.1): an agreement keeps the open id of the user who signed it, like the user id.
ALTER TABLE "Agreement" ADD COLUMN "alipayOpenId" TEXT;

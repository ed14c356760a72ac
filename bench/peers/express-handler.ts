import { randomBytes, randomUUID } from "node:crypto";
import type { Server } from "node:http";
import { createDatabase } from "@paysign/server";
import { AlipaySdk } from "alipay-sdk";
import express from "express";
import { serveChild } from "../child-ipc.ts";

/**
 * The `express_handler` peer of `signstr`: the agreement-signing endpoint a merchant writes by hand from alipay-sdk's
 * README (github.com/alipay/alipay-sdk-nodejs-all, "sdkExecute" for the app-side order string) — an Express app, one
 * AlipaySdk made at start-up, `sdkExecute('alipay.user.agreement.page.sign', { bizContent, notify_url })` and a Prisma
 * insert of the PENDING Agreement row (the server's generated client, same database, pool of 10 like the server's).
 * No session, no plan or customer read per request, no idempotency, limits, events or logging: the handler alone.
 * Runs in a process of its own with NODE_ENV=production; argv[2] is its settings as JSON.
 */
export type ExpressHandlerSettings = {
  databaseUrl: string;
  appId: string;
  appPrivateKey: string;
  alipayPublicKey: string;
  gateway: string;
  notifyUrl: string;
  planId: string;
};

export type ExpressHandlerReady = { type: "ready"; url: string };

const shanghaiDate = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" });

await serveChild<ExpressHandlerReady>(async () => {
  const settings = JSON.parse(process.argv[2] ?? "{}") as ExpressHandlerSettings;
  const database = createDatabase({ url: settings.databaseUrl, poolSize: 10, logger: console });
  const alipaySdk = new AlipaySdk({
    appId: settings.appId,
    privateKey: settings.appPrivateKey,
    alipayPublicKey: settings.alipayPublicKey,
    gateway: settings.gateway,
  });
  // The merchant's one plan, as its code would hold it.
  const plan = await database.prisma.plan.findUniqueOrThrow({ where: { id: settings.planId } });

  const app = express();
  app.use(express.json());
  app.post("/agreements", async (request, response, next) => {
    try {
      const { customerId } = request.body as { customerId: string };
      const today = shanghaiDate.format(new Date());
      const externalAgreementNo = `PS${today.replaceAll("-", "")}${randomBytes(11).toString("hex").toUpperCase()}`;
      const signStr = alipaySdk.sdkExecute("alipay.user.agreement.page.sign", {
        bizContent: {
          personal_product_code: plan.personalProductCode,
          product_code: plan.productCode,
          sign_scene: plan.signScene,
          external_agreement_no: externalAgreementNo,
          access_params: { channel: "ALIPAYAPP" },
          period_rule_params: {
            period_type: plan.periodType,
            period: plan.period,
            execute_time: today,
            single_amount: plan.singleAmount.toFixed(2),
          },
        },
        notify_url: settings.notifyUrl,
      });
      const agreement = await database.prisma.agreement.create({
        data: {
          id: randomUUID(),
          externalAgreementNo,
          customerId,
          planId: plan.id,
          productCode: plan.productCode,
          personalProductCode: plan.personalProductCode,
          signScene: plan.signScene,
          effectType: plan.effectType,
          periodType: plan.periodType,
          period: plan.period,
          executeTime: new Date(`${today}T00:00:00Z`),
          singleAmount: plan.singleAmount,
        },
      });
      response.status(201).json({ agreementId: agreement.id, signStr });
    } catch (error) {
      next(error);
    }
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    ready: { type: "ready", url: `http://127.0.0.1:${port}` },
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await database.close();
    },
  };
});

import type {
  AdminAgreementDetail,
  adminChargeAgreement,
  adminDeferAgreement,
  adminEffectAgreement,
  adminGetAgreement,
  adminSyncAgreement,
  adminRefundCharge,
  adminUnsignAgreement,
  ChargeWithAttempts,
} from "@paysign/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Form,
  Input,
  Modal,
  Select,
  Space,
  Spin,
  Table,
  Timeline,
} from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useState } from "react";
import { call } from "../api.ts";
import { AgreementStatusTag, ChargeStatusTag, Link, PageTitle } from "../components.tsx";
import { isAllowedDeferDate, shanghaiTime, shanghaiToday, yuan } from "../format.ts";
import { useI18n, type MessageKey } from "../i18n.tsx";

type Action = "sync" | "effect" | "unsign" | "chargeNow";

const CONFIRMATIONS: Record<Action, MessageKey> = {
  sync: "syncConfirm",
  effect: "effectConfirm",
  unsign: "unsignConfirm",
  chargeNow: "chargeNowConfirm",
};

function runAction(action: Action, id: string): Promise<string> {
  const params = { id };
  switch (action) {
    case "sync":
      return call<typeof adminSyncAgreement>("POST", "/admin/v1/agreements/:id/sync", { params }).then(
        (answer) => answer.agreement.status,
      );
    case "effect":
      return call<typeof adminEffectAgreement>("POST", "/admin/v1/agreements/:id/effect", { params }).then(
        (answer) => answer.agreement.status,
      );
    case "unsign":
      return call<typeof adminUnsignAgreement>("POST", "/admin/v1/agreements/:id/unsign", { params }).then(
        (answer) => answer.agreement.status,
      );
    case "chargeNow":
      return call<typeof adminChargeAgreement>("POST", "/admin/v1/agreements/:id/charges", { params }).then(
        (answer) => `${answer.charge.dueDate} ${answer.charge.status}`,
      );
    default: {
      const never: never = action;
      throw new Error(`unknown action ${String(never)}`);
    }
  }
}

export default function AgreementDetail(props: { id: string }) {
  const { t } = useI18n();
  const { modal, message } = App.useApp();
  const queryClient = useQueryClient();
  const [deferOpen, setDeferOpen] = useState(false);
  const [refundOpen, setRefundOpen] = useState(false);
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string }>();
  const detail = useQuery({
    queryKey: ["agreement", props.id],
    queryFn: () => call<typeof adminGetAgreement>("GET", "/admin/v1/agreements/:id", { params: { id: props.id } }),
  });
  const settle = (label: string) => ({
    onSuccess: (result: string) => {
      setOutcome({ ok: true, text: `${label}: ${result}` });
      void message.success(`${label}: ${result}`);
      void queryClient.invalidateQueries({ queryKey: ["agreement", props.id] });
      void queryClient.invalidateQueries({ queryKey: ["agreements"] });
    },
    onError: (error: Error) => setOutcome({ ok: false, text: `${label}: ${error.message}` }),
  });
  const action = useMutation({
    mutationFn: (input: { action: Action; label: string }) => runAction(input.action, props.id),
    onSuccess: (result, input) => settle(input.label).onSuccess(result),
    onError: (error, input) => settle(input.label).onError(error),
  });
  const defer = useMutation({
    mutationFn: (deductDate: string) =>
      call<typeof adminDeferAgreement>("POST", "/admin/v1/agreements/:id/defer", {
        params: { id: props.id },
        body: { deductDate },
      }).then((answer) => answer.agreement.nextDeductDate ?? ""),
    ...settle(t("defer")),
  });
  const refund = useMutation({
    mutationFn: (input: RefundInput) =>
      call<typeof adminRefundCharge>("POST", "/admin/v1/charges/:id/refunds", {
        params: { id: input.chargeId },
        body: { amount: input.amount, reason: input.reason },
        headers: { "idempotency-key": input.idempotencyKey },
      }).then(
        (answer) =>
          `${yuan(answer.refund.amount)} ${answer.refund.status}${answer.refund.subCode ? ` ${answer.refund.subCode}` : ""}`,
      ),
    ...settle(t("refund")),
  });

  if (detail.isError) return <Alert type="error" title={detail.error.message} />;
  if (!detail.data) return <Spin />;
  const agreement = detail.data;
  const confirm = (name: Action, label: string) =>
    modal.confirm({
      title: label,
      content: t(CONFIRMATIONS[name]),
      okText: t("confirm"),
      cancelText: t("cancel"),
      onOk: () => action.mutateAsync({ action: name, label }).catch(() => undefined),
    });

  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <Link to="/agreements">← {t("back")}</Link>
      <PageTitle>
        {t("agreement")} {agreement.externalAgreementNo} <AgreementStatusTag status={agreement.status} />
      </PageTitle>
      <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("actions")}</h2>}>
        <Space wrap>
          <Button onClick={() => void confirm("sync", t("sync"))}>{t("sync")}</Button>
          <Button disabled={agreement.status !== "TEMP"} onClick={() => void confirm("effect", t("effect"))}>
            {t("effect")}
          </Button>
          <Button disabled={agreement.status !== "ACTIVE"} onClick={() => setDeferOpen(true)}>
            {t("defer")}
          </Button>
          <Button disabled={agreement.status !== "ACTIVE"} onClick={() => void confirm("chargeNow", t("chargeNow"))}>
            {t("chargeNow")}
          </Button>
          <Button
            danger
            disabled={!["ACTIVE", "TEMP", "PAUSED"].includes(agreement.status)}
            onClick={() => void confirm("unsign", t("unsign"))}
          >
            {t("unsign")}
          </Button>
          <Button
            disabled={!agreement.charges.some((charge) => charge.status === "SUCCEEDED")}
            onClick={() => setRefundOpen(true)}
          >
            {t("refund")}
          </Button>
        </Space>
        {outcome ? (
          <Alert
            style={{ marginTop: 16 }}
            type={outcome.ok ? "success" : "error"}
            title={outcome.text}
            data-testid="action-outcome"
          />
        ) : null}
      </Card>
      <AgreementFacts agreement={agreement} />
      <ChargesCard charges={agreement.charges} />
      <EventsCard events={agreement.events} />
      <RefundModal
        open={refundOpen}
        charges={agreement.charges.filter((charge) => charge.status === "SUCCEEDED")}
        onClose={() => setRefundOpen(false)}
        onRefund={(input) => {
          setRefundOpen(false);
          refund.mutate(input);
        }}
      />
      <DeferModal
        open={deferOpen}
        agreement={agreement}
        onClose={() => setDeferOpen(false)}
        onDefer={(date) => {
          setDeferOpen(false);
          defer.mutate(date);
        }}
      />
    </Space>
  );
}

function AgreementFacts(props: { agreement: AdminAgreementDetail }) {
  const { t } = useI18n();
  const a = props.agreement;
  return (
    <Card>
      <Descriptions
        column={{ xs: 1, md: 2, xl: 3 }}
        items={[
          { key: "no", label: t("agreementNo"), children: a.agreementNo ?? "—" },
          { key: "user", label: t("alipayUser"), children: a.alipayUserId ?? "—" },
          {
            key: "period",
            label: t("period"),
            children: `${a.period} ${a.periodType === "DAY" ? t("days") : t("months")}`,
          },
          { key: "amount", label: t("singleAmount"), children: yuan(a.singleAmount) },
          {
            key: "next",
            label: t("nextDeduct"),
            children: <span data-testid="next-deduct">{a.nextDeductDate ?? "—"}</span>,
          },
          { key: "paid", label: t("paidTotal"), children: yuan(a.paidTotal) },
          { key: "refunded", label: t("refundedTotal"), children: yuan(a.totals.refunded) },
          { key: "net", label: t("net"), children: <span data-testid="net-total">{yuan(a.totals.net)}</span> },
          { key: "count", label: t("payments"), children: a.paymentsCount },
          { key: "product", label: t("productCode"), children: a.productCode },
          { key: "created", label: t("created"), children: shanghaiTime(a.createdAt) },
        ]}
      />
    </Card>
  );
}

function ChargesCard(props: { charges: ChargeWithAttempts[] }) {
  const { t } = useI18n();
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("charges")}</h2>}>
      <Table<ChargeWithAttempts>
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={props.charges}
        expandable={{
          expandedRowRender: (charge) => (
            <Table
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={charge.attempts}
              columns={[
                { title: "out_trade_no", dataIndex: "outTradeNo" },
                { title: t("status"), dataIndex: "status" },
                { title: t("subCode"), dataIndex: "subCode", render: (value: string | null) => value ?? "—" },
                { title: "sub_msg", dataIndex: "subMsg", render: (value: string | null) => value ?? "—" },
                { title: t("created"), dataIndex: "requestedAt", render: (value: string) => shanghaiTime(value) },
              ]}
            />
          ),
        }}
        columns={[
          { title: t("dueDate"), dataIndex: "dueDate" },
          { title: t("amount"), dataIndex: "amount", align: "right", render: (value: string) => yuan(value) },
          { title: t("status"), dataIndex: "status", render: (value: string) => <ChargeStatusTag status={value} /> },
          { title: t("paidAt"), dataIndex: "paidAt", render: (value: string | null) => shanghaiTime(value) },
          {
            title: t("failure"),
            dataIndex: "failureCode",
            render: (value: string | null, charge) => (value ? `${value} ${charge.failureReason ?? ""}` : "—"),
          },
          { title: t("attemptsTitle"), key: "attempts", render: (_value, charge) => charge.attempts.length },
          {
            title: t("refunds"),
            key: "refunds",
            render: (_value, charge) =>
              charge.refunds.length === 0
                ? "—"
                : charge.refunds.map((made) => `${yuan(made.amount)} ${made.status}`).join(", "),
          },
        ]}
      />
    </Card>
  );
}

function EventsCard(props: { events: AdminAgreementDetail["events"] }) {
  const { t } = useI18n();
  const [shown, setShown] = useState<string>();
  return (
    <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("timeline")}</h2>}>
      <Timeline
        items={props.events.map((event) => ({
          key: event.id,
          content: (
            <div>
              <strong>
                {event.fromStatus ?? "∅"} → {event.toStatus}
              </strong>{" "}
              · {event.source} · {shanghaiTime(event.createdAt)}
              <div>{event.reason}</div>
              {event.raw !== null ? (
                <Button size="small" type="link" onClick={() => setShown(shown === event.id ? undefined : event.id)}>
                  {t("showRaw")}
                </Button>
              ) : null}
              {shown === event.id ? (
                <pre style={{ background: "#f5f5f5", padding: 8, overflow: "auto", maxHeight: 300 }}>
                  {JSON.stringify(event.raw, null, 2)}
                </pre>
              ) : null}
            </div>
          ),
        }))}
      />
    </Card>
  );
}

function DeferModal(props: {
  open: boolean;
  agreement: AdminAgreementDetail;
  onClose: () => void;
  onDefer: (date: string) => void;
}) {
  const { t } = useI18n();
  const [date, setDate] = useState<Dayjs | null>(null);
  const current = props.agreement.nextDeductDate ?? "";
  const today = shanghaiToday();
  return (
    <Modal
      open={props.open}
      title={t("defer")}
      okText={t("confirm")}
      cancelText={t("cancel")}
      okButtonProps={{ disabled: !date }}
      onCancel={props.onClose}
      onOk={() => date && props.onDefer(date.format("YYYY-MM-DD"))}
    >
      <p>{t("deferConfirm")}</p>
      <p>
        {t("nextDeduct")}: {current || "—"}
      </p>
      <DatePicker
        aria-label={t("deferDate")}
        value={date}
        defaultPickerValue={current ? dayjs(current).add(1, "day") : undefined}
        onChange={(value) => setDate(value)}
        disabledDate={(day) =>
          !isAllowedDeferDate({
            date: day.format("YYYY-MM-DD"),
            current,
            today,
            periodType: props.agreement.periodType,
          })
        }
      />
    </Modal>
  );
}

/** "5" → "5.00", "5.5" → "5.50": the API takes yuan with two decimals. */
function twoDecimals(amount: string): string {
  const [whole = "0", cents = ""] = amount.split(".");
  return `${whole}.${cents.padEnd(2, "0")}`;
}

type RefundInput = { chargeId: string; amount: string; reason: string; idempotencyKey: string };

/** Amount and reason for a refund of one paid charge; the confirmation says what Alipay will do. */
function RefundModal(props: {
  open: boolean;
  charges: ChargeWithAttempts[];
  onClose: () => void;
  onRefund: (input: RefundInput) => void;
}) {
  const { t } = useI18n();
  const [chargeId, setChargeId] = useState<string>();
  const [amount, setAmount] = useState("");
  const [reason, setReason] = useState("");
  const selected = chargeId ?? props.charges[0]?.id;
  const valid = selected !== undefined && /^\d+(\.\d{1,2})?$/.test(amount) && reason.trim() !== "";
  return (
    <Modal
      open={props.open}
      title={t("refund")}
      okText={t("confirm")}
      cancelText={t("cancel")}
      okButtonProps={{ disabled: !valid, danger: true }}
      onCancel={props.onClose}
      onOk={() =>
        selected &&
        props.onRefund({
          chargeId: selected,
          amount: twoDecimals(amount),
          reason: reason.trim(),
          idempotencyKey: crypto.randomUUID(),
        })
      }
    >
      <Alert type="warning" title={t("refundConfirm")} style={{ marginBottom: 16 }} />
      <Form layout="vertical">
        <Form.Item label={t("refundCharge")}>
          <Select
            value={selected}
            onChange={setChargeId}
            options={props.charges.map((charge) => ({
              value: charge.id,
              label: `${charge.dueDate} · ${yuan(charge.amount)} · ${charge.tradeNo ?? ""}`,
            }))}
          />
        </Form.Item>
        <Form.Item label={t("refundAmount")}>
          <Input aria-label={t("refundAmount")} value={amount} onChange={(event) => setAmount(event.target.value)} />
        </Form.Item>
        <Form.Item label={t("refundReason")}>
          <Input aria-label={t("refundReason")} value={reason} onChange={(event) => setReason(event.target.value)} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

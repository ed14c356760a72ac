import type { AdminNotification, adminListNotifications } from "@paysign/contracts";
import { useQuery } from "@tanstack/react-query";
import { Alert, Select, Space, Table, Tag } from "antd";
import { useState } from "react";
import { call } from "../api.ts";
import { PageTitle, Pager, TAG_COLORS } from "../components.tsx";
import { shanghaiTime } from "../format.ts";
import { useI18n } from "../i18n.tsx";
import { navigate, queryString } from "../router.ts";

const OUTCOMES = ["APPLIED", "NO_CHANGE", "UNKNOWN_TARGET", "MISMATCH", "IGNORED"] as const satisfies ReadonlyArray<
  AdminNotification["outcome"]
>;
const outcomeColors: Record<AdminNotification["outcome"], string> = {
  APPLIED: TAG_COLORS.green,
  NO_CHANGE: TAG_COLORS.grey,
  UNKNOWN_TARGET: TAG_COLORS.gold,
  MISMATCH: TAG_COLORS.red,
  IGNORED: TAG_COLORS.grey,
};

export default function Notifications(props: { query: URLSearchParams }) {
  const { t } = useI18n();
  const outcome = props.query.get("outcome") ?? undefined;
  const notifyType = props.query.get("notifyType") ?? undefined;
  const [cursor, setCursor] = useState<string>();
  const setFilter = (changes: { outcome?: string | undefined; notifyType?: string | undefined }) => {
    setCursor(undefined);
    navigate(`/notifications${queryString({ outcome, notifyType, ...changes })}`, { replace: true });
  };
  const list = useQuery({
    queryKey: ["notifications", outcome, notifyType, cursor],
    queryFn: () =>
      call<typeof adminListNotifications>("GET", "/admin/v1/notifications", {
        query: { outcome, notifyType, cursor },
      }),
  });
  return (
    <>
      <PageTitle>{t("navNotifications")}</PageTitle>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          aria-label={t("outcome")}
          placeholder={t("outcome")}
          allowClear
          style={{ width: 180 }}
          value={outcome}
          onChange={(value: string | undefined) => setFilter({ outcome: value })}
          options={OUTCOMES.map((value) => ({ value, label: value }))}
        />
        <Select
          aria-label={t("notifyType")}
          placeholder={t("notifyType")}
          allowClear
          style={{ width: 200 }}
          value={notifyType}
          onChange={(value: string | undefined) => setFilter({ notifyType: value })}
          options={["dut_user_sign", "dut_user_unsign", "trade_status_sync"].map((value) => ({ value, label: value }))}
        />
      </Space>
      {list.isError ? <Alert type="error" title={list.error.message} /> : null}
      <Table<AdminNotification>
        rowKey="id"
        loading={list.isPending}
        dataSource={list.data?.items ?? []}
        pagination={false}
        size="middle"
        expandable={{
          expandedRowRender: (row) => (
            <pre style={{ margin: 0, maxHeight: 300, overflow: "auto" }}>{JSON.stringify(row.params, null, 2)}</pre>
          ),
        }}
        columns={[
          { title: t("received"), dataIndex: "receivedAt", render: (value: string) => shanghaiTime(value) },
          { title: t("notifyType"), dataIndex: "notifyType" },
          {
            title: t("outcome"),
            dataIndex: "outcome",
            render: (value: AdminNotification["outcome"]) => <Tag color={outcomeColors[value]}>{value}</Tag>,
          },
          { title: t("agreementNo"), dataIndex: "agreementNo", render: (value: string | null) => value ?? "—" },
          { title: "out_trade_no", dataIndex: "outTradeNo", render: (value: string | null) => value ?? "—" },
          { title: t("detail"), dataIndex: "detail" },
        ]}
      />
      <div style={{ marginTop: 16 }}>
        <Pager
          nextCursor={list.data?.nextCursor}
          onFirst={() => setCursor(undefined)}
          onNext={() => setCursor(list.data?.nextCursor ?? undefined)}
        />
      </div>
    </>
  );
}

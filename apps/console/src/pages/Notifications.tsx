import type { AdminNotification, adminListNotifications } from "@paysign/contracts";
import { Space, Tag } from "antd";
import { call } from "../api.ts";
import { PageTitle, TAG_COLORS } from "../components.tsx";
import { shanghaiTime } from "../format.ts";
import { useI18n } from "../i18n.tsx";
import { FilterSelect, ListTable, useListPage } from "../list-page.tsx";

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
  const page = useListPage({
    path: "/notifications",
    names: ["outcome", "notifyType"],
    query: props.query,
    load: (filters, cursor) =>
      call<typeof adminListNotifications>("GET", "/admin/v1/notifications", { query: { ...filters, cursor } }),
  });
  const { filters, setFilter } = page;
  return (
    <>
      <PageTitle>{t("navNotifications")}</PageTitle>
      <Space wrap style={{ marginBottom: 16 }}>
        <FilterSelect
          label={t("outcome")}
          width={180}
          value={filters.outcome}
          onChange={(outcome) => setFilter({ outcome })}
          options={OUTCOMES.map((value) => ({ value, label: value }))}
        />
        <FilterSelect
          label={t("notifyType")}
          width={200}
          value={filters.notifyType}
          onChange={(notifyType) => setFilter({ notifyType })}
          options={["dut_user_sign", "dut_user_unsign", "trade_status_sync"].map((value) => ({ value, label: value }))}
        />
      </Space>
      <ListTable<AdminNotification>
        page={page}
        expandedRowRender={(row) => (
          <pre style={{ margin: 0, maxHeight: 300, overflow: "auto" }}>{JSON.stringify(row.params, null, 2)}</pre>
        )}
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
    </>
  );
}

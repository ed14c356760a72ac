import type { Refund, adminListRefunds } from "@paysign/contracts";
import { Space, Tag } from "antd";
import { call } from "../api.ts";
import { PageTitle, TAG_COLORS } from "../components.tsx";
import { shanghaiTime, yuan } from "../format.ts";
import { useI18n } from "../i18n.tsx";
import { AgreementIdLink, FilterSelect, ListTable, useListPage } from "../list-page.tsx";

// The darkened tag colours every page uses: antd's light presets fail axe's contrast check.
const STATUS_COLORS: Record<Refund["status"], string> = {
  PENDING: TAG_COLORS.gold,
  SUCCEEDED: TAG_COLORS.green,
  FAILED: TAG_COLORS.red,
};

/** Every refund, newest first: PENDING ones are being settled with Alipay's refund query. */
export default function Refunds(props: { query: URLSearchParams }) {
  const { t } = useI18n();
  const page = useListPage({
    path: "/refunds",
    names: ["status"],
    query: props.query,
    load: (filters, cursor) =>
      call<typeof adminListRefunds>("GET", "/admin/v1/refunds", { query: { ...filters, cursor } }),
  });
  return (
    <>
      <PageTitle>{t("navRefunds")}</PageTitle>
      <Space wrap style={{ marginBottom: 16 }}>
        <FilterSelect
          label={t("status")}
          value={page.filters.status}
          onChange={(status) => page.setFilter({ status })}
          options={Object.keys(STATUS_COLORS).map((value) => ({ value, label: value }))}
        />
      </Space>
      <ListTable<Refund>
        page={page}
        columns={[
          { title: t("created"), dataIndex: "createdAt", render: (value: string) => shanghaiTime(value) },
          {
            title: t("agreement"),
            dataIndex: "agreementId",
            render: (value: string) => <AgreementIdLink id={value} />,
          },
          { title: t("amount"), dataIndex: "amount", align: "right", render: (value: string) => yuan(value) },
          {
            title: t("status"),
            dataIndex: "status",
            render: (value: Refund["status"]) => <Tag color={STATUS_COLORS[value]}>{value}</Tag>,
          },
          { title: t("refundSource"), dataIndex: "source" },
          { title: t("refundReason"), dataIndex: "reason", render: (value: string | null) => value ?? "—" },
          { title: "out_request_no", dataIndex: "outRequestNo" },
          { title: t("subCode"), dataIndex: "subCode", render: (value: string | null) => value ?? "—" },
          { title: t("refundedAt"), dataIndex: "refundedAt", render: (value: string | null) => shanghaiTime(value) },
        ]}
      />
    </>
  );
}

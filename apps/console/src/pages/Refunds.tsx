import type { Refund, adminListRefunds } from "@paysign/contracts";
import { useQuery } from "@tanstack/react-query";
import { Alert, Select, Space, Table, Tag } from "antd";
import { useState } from "react";
import { call } from "../api.ts";
import { Link, PageTitle, Pager, TAG_COLORS } from "../components.tsx";
import { shanghaiTime, yuan } from "../format.ts";
import { useI18n } from "../i18n.tsx";
import { navigate, queryString } from "../router.ts";

// The darkened tag colours every page uses: antd's light presets fail axe's contrast check.
const STATUS_COLORS: Record<Refund["status"], string> = {
  PENDING: TAG_COLORS.gold,
  SUCCEEDED: TAG_COLORS.green,
  FAILED: TAG_COLORS.red,
};

/** Every refund, newest first: PENDING ones are being settled with Alipay's refund query. */
export default function Refunds(props: { query: URLSearchParams }) {
  const { t } = useI18n();
  const status = props.query.get("status") ?? undefined;
  const [cursor, setCursor] = useState<string>();
  const list = useQuery({
    queryKey: ["refunds", status, cursor],
    queryFn: () => call<typeof adminListRefunds>("GET", "/admin/v1/refunds", { query: { status, cursor } }),
  });
  return (
    <>
      <PageTitle>{t("navRefunds")}</PageTitle>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          aria-label={t("status")}
          placeholder={t("status")}
          allowClear
          style={{ width: 160 }}
          value={status}
          onChange={(value: string | undefined) => {
            setCursor(undefined);
            navigate(`/refunds${queryString({ status: value })}`, { replace: true });
          }}
          options={Object.keys(STATUS_COLORS).map((value) => ({ value, label: value }))}
        />
      </Space>
      {list.isError ? <Alert type="error" title={list.error.message} /> : null}
      <Table<Refund>
        rowKey="id"
        loading={list.isPending}
        dataSource={list.data?.items ?? []}
        pagination={false}
        size="middle"
        columns={[
          { title: t("created"), dataIndex: "createdAt", render: (value: string) => shanghaiTime(value) },
          {
            title: t("agreement"),
            dataIndex: "agreementId",
            render: (value: string) => <Link to={`/agreements/${value}`}>{value.slice(0, 8)}</Link>,
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

import type { Charge, adminListCharges } from "@paysign/contracts";
import { CHARGE_STATUSES, CHARGE_STATUS_LABELS } from "@paysign/contracts/mini";
import { useQuery } from "@tanstack/react-query";
import { Alert, DatePicker, Select, Space, Table } from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { call } from "../api.ts";
import { ChargeStatusTag, Link, PageTitle, Pager } from "../components.tsx";
import { shanghaiTime, yuan } from "../format.ts";
import { labelOf, useI18n } from "../i18n.tsx";
import { navigate, queryString } from "../router.ts";

const FILTERS = ["status", "dueFrom", "dueTo"] as const;

export default function Charges(props: { query: URLSearchParams }) {
  const { t, lang } = useI18n();
  const filters = Object.fromEntries(FILTERS.map((name) => [name, props.query.get(name) ?? undefined])) as Record<
    (typeof FILTERS)[number],
    string | undefined
  >;
  const [cursor, setCursor] = useState<string>();
  const setFilter = (changes: Partial<typeof filters>) => {
    setCursor(undefined);
    navigate(`/charges${queryString({ ...filters, ...changes })}`, { replace: true });
  };
  const list = useQuery({
    queryKey: ["charges", filters, cursor],
    queryFn: () => call<typeof adminListCharges>("GET", "/admin/v1/charges", { query: { ...filters, cursor } }),
  });
  return (
    <>
      <PageTitle>{t("navCharges")}</PageTitle>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select
          aria-label={t("status")}
          placeholder={t("status")}
          allowClear
          style={{ width: 160 }}
          value={filters.status}
          onChange={(value: string | undefined) => setFilter({ status: value })}
          options={CHARGE_STATUSES.map((status) => ({
            value: status,
            label: labelOf(CHARGE_STATUS_LABELS, status, lang),
          }))}
        />
        <DatePicker.RangePicker
          aria-label={t("dueDate")}
          value={filters.dueFrom && filters.dueTo ? [dayjs(filters.dueFrom), dayjs(filters.dueTo)] : null}
          onChange={(dates) => {
            const [from, to] = dates ?? [];
            setFilter({ dueFrom: from?.format("YYYY-MM-DD"), dueTo: to?.format("YYYY-MM-DD") });
          }}
        />
      </Space>
      {list.isError ? <Alert type="error" title={list.error.message} /> : null}
      <Table<Charge>
        rowKey="id"
        loading={list.isPending}
        dataSource={list.data?.items ?? []}
        pagination={false}
        size="middle"
        columns={[
          { title: t("dueDate"), dataIndex: "dueDate" },
          {
            title: t("agreement"),
            dataIndex: "agreementId",
            render: (value: string) => <Link to={`/agreements/${value}`}>{value.slice(0, 8)}</Link>,
          },
          { title: t("amount"), dataIndex: "amount", align: "right", render: (value: string) => yuan(value) },
          { title: t("status"), dataIndex: "status", render: (value: string) => <ChargeStatusTag status={value} /> },
          { title: "out_trade_no", dataIndex: "outTradeNo", render: (value: string | null) => value ?? "—" },
          { title: t("paidAt"), dataIndex: "paidAt", render: (value: string | null) => shanghaiTime(value) },
          {
            title: t("failure"),
            dataIndex: "failureCode",
            render: (value: string | null, charge) => (value ? `${value} ${charge.failureReason ?? ""}` : "—"),
          },
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

import type { AdminAgreement, adminListAgreements, adminListPlans } from "@paysign/contracts";
import { AGREEMENT_STATUSES, AGREEMENT_STATUS_LABELS } from "@paysign/contracts/mini";
import { useQuery } from "@tanstack/react-query";
import { Alert, DatePicker, Input, Select, Space, Table } from "antd";
import dayjs from "dayjs";
import { useState } from "react";
import { call } from "../api.ts";
import { AgreementStatusTag, Link, PageTitle, Pager } from "../components.tsx";
import { shanghaiTime, yuan } from "../format.ts";
import { labelOf, useI18n } from "../i18n.tsx";
import { navigate, queryString } from "../router.ts";

const FILTERS = ["status", "planId", "q", "createdFrom", "createdTo"] as const;

export default function Agreements(props: { query: URLSearchParams }) {
  const { t, lang } = useI18n();
  const filters = Object.fromEntries(FILTERS.map((name) => [name, props.query.get(name) ?? undefined])) as Record<
    (typeof FILTERS)[number],
    string | undefined
  >;
  const [cursor, setCursor] = useState<string>();
  const setFilter = (changes: Partial<typeof filters>) => {
    setCursor(undefined);
    navigate(`/agreements${queryString({ ...filters, ...changes })}`, { replace: true });
  };
  const plans = useQuery({
    queryKey: ["plans"],
    queryFn: () => call<typeof adminListPlans>("GET", "/admin/v1/plans"),
  });
  const list = useQuery({
    queryKey: ["agreements", filters, cursor],
    queryFn: () =>
      call<typeof adminListAgreements>("GET", "/admin/v1/agreements", { query: { ...filters, cursor, limit: 20 } }),
  });
  const planName = (id: string) => plans.data?.items.find((plan) => plan.id === id)?.name ?? id.slice(0, 8);

  return (
    <>
      <PageTitle>{t("navAgreements")}</PageTitle>
      <Space wrap style={{ marginBottom: 16 }}>
        <Input.Search
          aria-label={t("search")}
          placeholder={t("search")}
          defaultValue={filters.q}
          allowClear
          style={{ width: 340 }}
          onSearch={(value) => setFilter({ q: value.trim() || undefined })}
        />
        <Select
          aria-label={t("status")}
          placeholder={t("status")}
          allowClear
          style={{ width: 160 }}
          value={filters.status}
          onChange={(value: string | undefined) => setFilter({ status: value })}
          options={AGREEMENT_STATUSES.map((status) => ({
            value: status,
            label: labelOf(AGREEMENT_STATUS_LABELS, status, lang),
          }))}
        />
        <Select
          aria-label={t("plan")}
          placeholder={t("plan")}
          allowClear
          style={{ width: 220 }}
          value={filters.planId}
          onChange={(value: string | undefined) => setFilter({ planId: value })}
          options={(plans.data?.items ?? []).map((plan) => ({ value: plan.id, label: plan.name }))}
        />
        <DatePicker.RangePicker
          aria-label={t("created")}
          value={
            filters.createdFrom && filters.createdTo ? [dayjs(filters.createdFrom), dayjs(filters.createdTo)] : null
          }
          onChange={(dates) => {
            const [from, to] = dates ?? [];
            setFilter({ createdFrom: from?.format("YYYY-MM-DD"), createdTo: to?.format("YYYY-MM-DD") });
          }}
        />
      </Space>
      {list.isError ? <Alert type="error" title={list.error.message} /> : null}
      <Table<AdminAgreement>
        rowKey="id"
        loading={list.isPending}
        dataSource={list.data?.items ?? []}
        pagination={false}
        size="middle"
        columns={[
          {
            title: t("externalNo"),
            dataIndex: "externalAgreementNo",
            render: (value: string, row) => <Link to={`/agreements/${row.id}`}>{value}</Link>,
          },
          { title: t("agreementNo"), dataIndex: "agreementNo", render: (value: string | null) => value ?? "—" },
          { title: t("status"), dataIndex: "status", render: (value: string) => <AgreementStatusTag status={value} /> },
          { title: t("plan"), dataIndex: "planId", render: (value: string) => planName(value) },
          { title: t("amount"), dataIndex: "singleAmount", align: "right", render: (value: string) => yuan(value) },
          { title: t("nextDeduct"), dataIndex: "nextDeductDate", render: (value: string | null) => value ?? "—" },
          { title: t("alipayUser"), dataIndex: "alipayUserId", render: (value: string | null) => value ?? "—" },
          { title: t("created"), dataIndex: "createdAt", render: (value: string) => shanghaiTime(value) },
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

import type { AdminAgreement, adminListAgreements, adminListPlans } from "@paysign/contracts";
import { AGREEMENT_STATUSES, AGREEMENT_STATUS_LABELS } from "@paysign/contracts/mini";
import { useQuery } from "@tanstack/react-query";
import { DatePicker, Input, Space } from "antd";
import dayjs from "dayjs";
import { call } from "../api.ts";
import { AgreementStatusTag, Link, PageTitle } from "../components.tsx";
import { shanghaiTime, yuan } from "../format.ts";
import { labelOf, useI18n } from "../i18n.tsx";
import { FilterSelect, ListTable, useListPage } from "../list-page.tsx";

export default function Agreements(props: { query: URLSearchParams }) {
  const { t, lang } = useI18n();
  const page = useListPage({
    path: "/agreements",
    names: ["status", "planId", "q", "createdFrom", "createdTo"],
    query: props.query,
    load: (filters, cursor) =>
      call<typeof adminListAgreements>("GET", "/admin/v1/agreements", { query: { ...filters, cursor, limit: 20 } }),
  });
  const { filters, setFilter } = page;
  const plans = useQuery({
    queryKey: ["plans"],
    queryFn: () => call<typeof adminListPlans>("GET", "/admin/v1/plans"),
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
        <FilterSelect
          label={t("status")}
          value={filters.status}
          onChange={(status) => setFilter({ status })}
          options={AGREEMENT_STATUSES.map((status) => ({
            value: status,
            label: labelOf(AGREEMENT_STATUS_LABELS, status, lang),
          }))}
        />
        <FilterSelect
          label={t("plan")}
          width={220}
          value={filters.planId}
          onChange={(planId) => setFilter({ planId })}
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
      <ListTable<AdminAgreement>
        page={page}
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
    </>
  );
}

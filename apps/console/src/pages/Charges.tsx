import type { Charge, adminListCharges } from "@paysign/contracts";
import { CHARGE_STATUSES, CHARGE_STATUS_LABELS } from "@paysign/contracts/mini";
import { DatePicker, Space } from "antd";
import dayjs from "dayjs";
import { call } from "../api.ts";
import { ChargeStatusTag, PageTitle } from "../components.tsx";
import { shanghaiTime, yuan } from "../format.ts";
import { labelOf, useI18n } from "../i18n.tsx";
import { AgreementIdLink, FilterSelect, ListTable, useListPage } from "../list-page.tsx";

export default function Charges(props: { query: URLSearchParams }) {
  const { t, lang } = useI18n();
  const page = useListPage({
    path: "/charges",
    names: ["status", "dueFrom", "dueTo"],
    query: props.query,
    load: (filters, cursor) =>
      call<typeof adminListCharges>("GET", "/admin/v1/charges", { query: { ...filters, cursor } }),
  });
  const { filters, setFilter } = page;
  return (
    <>
      <PageTitle>{t("navCharges")}</PageTitle>
      <Space wrap style={{ marginBottom: 16 }}>
        <FilterSelect
          label={t("status")}
          value={filters.status}
          onChange={(status) => setFilter({ status })}
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
      <ListTable<Charge>
        page={page}
        columns={[
          { title: t("dueDate"), dataIndex: "dueDate" },
          {
            title: t("agreement"),
            dataIndex: "agreementId",
            render: (value: string) => <AgreementIdLink id={value} />,
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
    </>
  );
}

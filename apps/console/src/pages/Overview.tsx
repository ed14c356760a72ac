import type { adminGetOverview } from "@paysign/contracts";
import { useQuery } from "@tanstack/react-query";
import { Alert, Card, Col, DatePicker, Row, Space, Spin, Statistic } from "antd";
import dayjs from "dayjs";
import { lazy, Suspense, useState } from "react";
import { call } from "../api.ts";
import { percent, yuan } from "../format.ts";
import { useI18n } from "../i18n.tsx";
import { navigate } from "../router.ts";

const DailyChart = lazy(() => import("../charts/DailyChart.tsx"));

type Range = { from: string; to: string } | undefined;

export default function Overview() {
  const { t } = useI18n();
  const [range, setRange] = useState<Range>();
  const overview = useQuery({
    queryKey: ["overview", range],
    queryFn: () => call<typeof adminGetOverview>("GET", "/admin/v1/overview", { query: { ...range } }),
  });
  if (overview.isError) return <Alert type="error" title={overview.error.message} />;
  if (!overview.data) return <Spin />;
  const data = overview.data;
  const attention = [
    { key: "pastDue", label: t("pastDue"), count: data.attention.pastDueCharges, to: "/charges?status=PAST_DUE" },
    { key: "failed", label: t("failedCharges"), count: data.attention.failedCharges, to: "/charges?status=FAILED" },
    {
      key: "mismatch",
      label: t("mismatches"),
      count: data.attention.notificationMismatches,
      to: "/notifications?outcome=MISMATCH",
    },
    { key: "reconciliation", label: t("reconciliationDifferences"), count: data.attention.reconciliationDifferences },
    {
      key: "noFirstDate",
      label: t("noFirstDate"),
      count: data.attention.agreementsWithoutFirstDate,
      to: "/agreements?status=ACTIVE",
    },
  ];
  return (
    <Space orientation="vertical" size="large" style={{ width: "100%" }}>
      <Space>
        <h1 style={{ margin: 0, fontSize: 22 }}>{t("navOverview")}</h1>
        <DatePicker.RangePicker
          aria-label={t("range")}
          value={[dayjs(data.from), dayjs(data.to)]}
          allowClear={false}
          onChange={(dates) => {
            const [from, to] = dates ?? [];
            if (from && to) setRange({ from: from.format("YYYY-MM-DD"), to: to.format("YYYY-MM-DD") });
          }}
        />
      </Space>
      <Row gutter={[16, 16]}>
        <Col xs={24} md={8} lg={4}>
          <Card>
            <Statistic title={t("activeAgreements")} value={data.activeAgreements} data-testid="active-agreements" />
          </Card>
        </Col>
        <Col xs={24} md={8} lg={4}>
          <Card>
            <Statistic title={t("mrr")} value={yuan(data.mrr)} data-testid="mrr" />
          </Card>
        </Col>
        <Col xs={24} md={8} lg={4}>
          <Card>
            <Statistic title={t("charged")} value={yuan(data.charged)} data-testid="charged" />
          </Card>
        </Col>
        <Col xs={24} md={8} lg={4}>
          <Card>
            <Statistic title={t("refunded")} value={yuan(data.refunded)} data-testid="refunded" />
          </Card>
        </Col>
        <Col xs={24} md={8} lg={4}>
          <Card>
            <Statistic title={t("net")} value={yuan(data.net)} data-testid="net" />
          </Card>
        </Col>
        <Col xs={24} md={8} lg={4}>
          <Card>
            <Statistic
              title={t("successRate")}
              value={percent(data.successRate)}
              suffix={
                <span style={{ fontSize: 12 }}>
                  {data.chargeAttempts.succeeded}/{data.chargeAttempts.succeeded + data.chargeAttempts.failed}{" "}
                  {t("attempts")}
                </span>
              }
              data-testid="success-rate"
            />
          </Card>
        </Col>
      </Row>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={9}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("newPerDay")}</h2>}>
            <Suspense fallback={<Spin />}>
              <DailyChart title={t("newPerDay")} days={data.newAgreements} color="#1677ff" />
            </Suspense>
          </Card>
        </Col>
        <Col xs={24} lg={9}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("endedPerDay")}</h2>}>
            <Suspense fallback={<Spin />}>
              <DailyChart title={t("endedPerDay")} days={data.endedAgreements} color="#cf1322" />
            </Suspense>
          </Card>
        </Col>
        <Col xs={24} lg={6}>
          <Card title={<h2 style={{ fontSize: 16, margin: 0 }}>{t("needsAttention")}</h2>}>
            <ul style={{ listStyle: "none", padding: 0, margin: 0 }} data-testid="attention">
              {attention.map((item) => (
                <li key={item.key} style={{ display: "flex", justifyContent: "space-between", padding: "8px 0" }}>
                  {item.to === undefined ? (
                    <span>{item.label}</span>
                  ) : (
                    <a
                      href={`/console${item.to}`}
                      onClick={(event) => {
                        event.preventDefault();
                        if (item.to !== undefined) navigate(item.to);
                      }}
                    >
                      {item.label}
                    </a>
                  )}
                  <strong style={{ color: item.count > 0 ? "#a8071a" : undefined }}>{item.count}</strong>
                </li>
              ))}
            </ul>
          </Card>
        </Col>
      </Row>
    </Space>
  );
}

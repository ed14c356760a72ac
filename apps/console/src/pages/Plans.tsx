import type { adminCreatePlan, adminListPlans, adminUpdatePlan, CreatePlanBody, Plan } from "@paysign/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, App, Button, Form, Input, InputNumber, Modal, Select, Space, Table, Tag } from "antd";
import { useState } from "react";
import { ApiError, call } from "../api.ts";
import { PageTitle, TAG_COLORS } from "../components.tsx";
import { yuan } from "../format.ts";
import { useI18n } from "../i18n.tsx";

type PlanForm = {
  name: string;
  description?: string;
  productCode: CreatePlanBody["productCode"];
  signScene: string;
  periodType: CreatePlanBody["periodType"];
  period: number;
  singleAmount: string;
  totalAmount?: string;
  totalPayments?: number | null;
  firstChargeDelayDays?: number | null;
  effectType: "DIRECT" | "NOTICE";
};

const FIELDS = new Set<string>([
  "name",
  "description",
  "productCode",
  "signScene",
  "periodType",
  "period",
  "singleAmount",
  "totalAmount",
  "totalPayments",
  "firstChargeDelayDays",
  "effectType",
]);

/** The form's values as the API takes them: empty optional fields left out (create) or cleared (edit). */
function toBody(values: PlanForm, editing: boolean) {
  const cleared = editing ? null : undefined;
  return {
    name: values.name,
    description: values.description ?? "",
    productCode: values.productCode,
    signScene: values.signScene,
    periodType: values.periodType,
    period: values.period,
    singleAmount: values.singleAmount,
    totalAmount: values.totalAmount ? values.totalAmount : cleared,
    totalPayments: values.totalPayments ?? cleared,
    ...(values.firstChargeDelayDays === null || values.firstChargeDelayDays === undefined
      ? {}
      : { firstChargeDelayDays: values.firstChargeDelayDays }),
    effectType: values.effectType,
  };
}

export default function Plans() {
  const { t } = useI18n();
  const { modal } = App.useApp();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<PlanForm>();
  const [editing, setEditing] = useState<Plan | "new">();
  const [formError, setFormError] = useState<string>();
  const plans = useQuery({ queryKey: ["plans"], queryFn: () => call<typeof adminListPlans>("GET", "/admin/v1/plans") });

  const save = useMutation({
    mutationFn: (values: PlanForm) =>
      editing && editing !== "new"
        ? call<typeof adminUpdatePlan>("PATCH", "/admin/v1/plans/:id", {
            params: { id: editing.id },
            body: toBody(values, true),
          })
        : call<typeof adminCreatePlan>("POST", "/admin/v1/plans", { body: toBody(values, false) }),
    onSuccess: () => {
      setEditing(undefined);
      void queryClient.invalidateQueries({ queryKey: ["plans"] });
    },
    onError: (error) => {
      // The API's own messages, on the fields they name; the rest above the form.
      setFormError(error.message);
      if (error instanceof ApiError) {
        form.setFields(
          error.issues
            .filter((issue) => issue.path && FIELDS.has(issue.path))
            .map((issue) => ({ name: issue.path as keyof PlanForm, errors: [issue.message ?? ""] })),
        );
      }
    },
  });
  const deactivate = useMutation({
    mutationFn: (plan: Plan) =>
      call<typeof adminUpdatePlan>("PATCH", "/admin/v1/plans/:id", {
        params: { id: plan.id },
        body: { active: false },
      }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: ["plans"] }),
  });

  const open = (plan: Plan | "new") => {
    setFormError(undefined);
    form.resetFields();
    if (plan === "new") {
      form.setFieldsValue({
        productCode: "GENERAL_WITHHOLDING",
        signScene: "INDUSTRY|DIGITAL_MEDIA",
        periodType: "MONTH",
        period: 1,
        effectType: "DIRECT",
      });
    } else {
      form.setFieldsValue({
        ...plan,
        totalAmount: plan.totalAmount ?? undefined,
        productCode: plan.productCode,
      });
    }
    setEditing(plan);
  };

  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between" }}>
        <PageTitle>{t("navPlans")}</PageTitle>
        <Button type="primary" onClick={() => open("new")}>
          {t("createPlan")}
        </Button>
      </Space>
      {plans.isError ? <Alert type="error" title={plans.error.message} /> : null}
      <Table<Plan>
        rowKey="id"
        loading={plans.isPending}
        dataSource={plans.data?.items ?? []}
        pagination={false}
        columns={[
          { title: t("name"), dataIndex: "name" },
          {
            title: t("period"),
            key: "period",
            render: (_value, plan) => `${plan.period} ${plan.periodType === "DAY" ? t("days") : t("months")}`,
          },
          {
            title: t("singleAmount"),
            dataIndex: "singleAmount",
            align: "right",
            render: (value: string) => yuan(value),
          },
          { title: t("totalPayments"), dataIndex: "totalPayments", render: (value: number | null) => value ?? "—" },
          { title: t("effectType"), dataIndex: "effectType" },
          {
            title: t("status"),
            dataIndex: "active",
            render: (active: boolean) => (
              <Tag color={active ? TAG_COLORS.green : TAG_COLORS.grey}>{active ? t("active") : t("inactive")}</Tag>
            ),
          },
          {
            title: t("actions"),
            key: "actions",
            render: (_value, plan) => (
              <Space>
                <Button size="small" onClick={() => open(plan)}>
                  {t("editPlan")}
                </Button>
                <Button
                  size="small"
                  danger
                  disabled={!plan.active}
                  onClick={() =>
                    void modal.confirm({
                      title: `${t("deactivate")} ${plan.name}`,
                      content: t("deactivateConfirm"),
                      okText: t("confirm"),
                      cancelText: t("cancel"),
                      onOk: () => deactivate.mutateAsync(plan),
                    })
                  }
                >
                  {t("deactivate")}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== undefined}
        title={editing === "new" ? t("createPlan") : t("editPlan")}
        okText={t("save")}
        cancelText={t("cancel")}
        confirmLoading={save.isPending}
        onCancel={() => setEditing(undefined)}
        onOk={() => form.submit()}
        forceRender
      >
        {formError ? (
          <Alert type="error" title={formError} style={{ marginBottom: 16 }} data-testid="plan-error" />
        ) : null}
        <Form form={form} layout="vertical" onFinish={(values) => save.mutate(values)}>
          <Form.Item label={t("name")} name="name">
            <Input />
          </Form.Item>
          <Form.Item label={t("description")} name="description">
            <Input.TextArea rows={2} />
          </Form.Item>
          <Space wrap>
            <Form.Item label={t("productCode")} name="productCode">
              <Select
                style={{ width: 220 }}
                options={["GENERAL_WITHHOLDING", "CYCLE_PAY_AUTH"].map((value) => ({ value, label: value }))}
              />
            </Form.Item>
            <Form.Item label={t("signScene")} name="signScene">
              <Input style={{ width: 220 }} />
            </Form.Item>
          </Space>
          <Space wrap>
            <Form.Item label={t("period")} name="periodType">
              <Select
                style={{ width: 120 }}
                options={[
                  { value: "MONTH", label: t("months") },
                  { value: "DAY", label: t("days") },
                ]}
              />
            </Form.Item>
            <Form.Item label={t("count")} name="period">
              <InputNumber min={1} />
            </Form.Item>
            <Form.Item label={t("effectType")} name="effectType">
              <Select style={{ width: 120 }} options={["DIRECT", "NOTICE"].map((value) => ({ value, label: value }))} />
            </Form.Item>
          </Space>
          <Space wrap>
            <Form.Item label={t("singleAmount")} name="singleAmount">
              <Input prefix="¥" placeholder="19.90" />
            </Form.Item>
            <Form.Item label={t("totalAmount")} name="totalAmount">
              <Input prefix="¥" />
            </Form.Item>
            <Form.Item label={t("totalPayments")} name="totalPayments">
              <InputNumber min={1} />
            </Form.Item>
            <Form.Item label={t("firstChargeDelayDays")} name="firstChargeDelayDays">
              <InputNumber min={0} />
            </Form.Item>
          </Space>
        </Form>
      </Modal>
    </>
  );
}

import type {
  adminCreateWebhookEndpoint,
  adminListWebhookEndpoints,
  adminUpdateWebhookEndpoint,
  WebhookEndpoint,
  WebhookEventType,
} from "@paysign/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Form, Input, Modal, Select, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { ApiError, call } from "../api.ts";
import { PageTitle, TAG_COLORS } from "../components.tsx";
import { shanghaiTime } from "../format.ts";
import { useI18n } from "../i18n.tsx";

// The contracts' event types; the compiler fails when one is added there and not here (or the reverse).
const EVENT_TYPES = Object.keys({
  "agreement.awaiting_effect": true,
  "agreement.activated": true,
  "agreement.paused": true,
  "agreement.resumed": true,
  "agreement.unsigned": true,
  "agreement.expired": true,
  "agreement.completed": true,
  "agreement.failed": true,
  "agreement.abandoned": true,
  "charge.succeeded": true,
  "charge.failed": true,
  "charge.past_due": true,
  "refund.succeeded": true,
  "refund.failed": true,
  "reconciliation.difference_found": true,
} satisfies Record<WebhookEventType, true>) as WebhookEventType[];

type EndpointForm = { url: string; description?: string; eventTypes?: WebhookEventType[] };
const FIELDS = new Set<string>(["url", "description", "eventTypes"]);

export default function Webhooks() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<EndpointForm>();
  const [creating, setCreating] = useState(false);
  const [formError, setFormError] = useState<string>();
  const [secret, setSecret] = useState<string>();
  const endpoints = useQuery({
    queryKey: ["webhook-endpoints"],
    queryFn: () => call<typeof adminListWebhookEndpoints>("GET", "/admin/v1/webhook-endpoints"),
  });
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ["webhook-endpoints"] });

  const create = useMutation({
    mutationFn: (values: EndpointForm) =>
      call<typeof adminCreateWebhookEndpoint>("POST", "/admin/v1/webhook-endpoints", {
        body: {
          url: values.url,
          ...(values.description ? { description: values.description } : {}),
          eventTypes: values.eventTypes ?? [],
        },
      }),
    onSuccess: (created) => {
      setCreating(false);
      setSecret(created.secret);
      refresh();
    },
    onError: (error) => {
      setFormError(error.message);
      if (error instanceof ApiError) {
        form.setFields(
          error.issues
            .filter((issue) => issue.path && FIELDS.has(issue.path))
            .map((issue) => ({ name: issue.path as keyof EndpointForm, errors: [issue.message ?? ""] })),
        );
      }
    },
  });
  const setEnabled = useMutation({
    mutationFn: (input: { endpoint: WebhookEndpoint; enabled: boolean }) =>
      call<typeof adminUpdateWebhookEndpoint>("PATCH", "/admin/v1/webhook-endpoints/:id", {
        params: { id: input.endpoint.id },
        body: { enabled: input.enabled },
      }),
    onSuccess: refresh,
  });

  const open = () => {
    setFormError(undefined);
    form.resetFields();
    setCreating(true);
  };

  return (
    <>
      <Space style={{ width: "100%", justifyContent: "space-between" }}>
        <PageTitle>{t("navWebhooks")}</PageTitle>
        <Button type="primary" onClick={open}>
          {t("createWebhookEndpoint")}
        </Button>
      </Space>
      {endpoints.isError ? <Alert type="error" title={endpoints.error.message} /> : null}
      <Table<WebhookEndpoint>
        rowKey="id"
        loading={endpoints.isPending}
        dataSource={endpoints.data?.items ?? []}
        pagination={false}
        columns={[
          {
            title: t("webhookUrl"),
            dataIndex: "url",
            render: (url: string) => <Typography.Text code>{url}</Typography.Text>,
          },
          { title: t("description"), dataIndex: "description", render: (value: string | null) => value ?? "—" },
          {
            title: t("eventTypes"),
            dataIndex: "eventTypes",
            render: (types: string[]) => (types.length === 0 ? t("allEventTypes") : types.join(", ")),
          },
          {
            title: t("status"),
            key: "status",
            render: (_value, endpoint) => (
              <Space orientation="vertical" size={2}>
                <Tag color={endpoint.enabled ? TAG_COLORS.green : TAG_COLORS.grey}>
                  {endpoint.enabled ? t("enabled") : t("disabled")}
                </Tag>
                {endpoint.disabledReason ? (
                  <Typography.Text type="danger" data-testid="webhook-disabled-reason">
                    {endpoint.disabledReason} ({shanghaiTime(endpoint.disabledAt)})
                  </Typography.Text>
                ) : null}
                {endpoint.failingSince ? (
                  <Tag color={TAG_COLORS.gold}>
                    {t("failingSince")} {shanghaiTime(endpoint.failingSince)}
                  </Tag>
                ) : null}
              </Space>
            ),
          },
          {
            title: t("actions"),
            key: "actions",
            render: (_value, endpoint) => (
              <Button
                size="small"
                danger={endpoint.enabled}
                loading={setEnabled.isPending && setEnabled.variables.endpoint.id === endpoint.id}
                onClick={() => setEnabled.mutate({ endpoint, enabled: !endpoint.enabled })}
              >
                {endpoint.enabled ? t("disable") : t("enable")}
              </Button>
            ),
          },
        ]}
      />
      <Modal
        open={creating}
        title={t("createWebhookEndpoint")}
        okText={t("save")}
        cancelText={t("cancel")}
        confirmLoading={create.isPending}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        forceRender
      >
        {formError ? (
          <Alert type="error" title={formError} style={{ marginBottom: 16 }} data-testid="webhook-error" />
        ) : null}
        <Form form={form} layout="vertical" onFinish={(values) => create.mutate(values)}>
          <Form.Item label={t("webhookUrl")} name="url" extra={t("webhookUrlHelp")}>
            <Input placeholder="https://example.com/paysign/webhooks" />
          </Form.Item>
          <Form.Item label={t("description")} name="description">
            <Input />
          </Form.Item>
          <Form.Item label={t("eventTypes")} name="eventTypes" extra={t("allEventTypesHelp")}>
            <Select mode="multiple" allowClear options={EVENT_TYPES.map((value) => ({ value, label: value }))} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={secret !== undefined}
        title={t("webhookSecretTitle")}
        okText={t("confirm")}
        onOk={() => setSecret(undefined)}
        onCancel={() => setSecret(undefined)}
        cancelButtonProps={{ style: { display: "none" } }}
        destroyOnHidden
      >
        <Alert type="warning" title={t("webhookSecretOnce")} style={{ marginBottom: 16 }} />
        <Typography.Paragraph copyable code data-testid="webhook-secret">
          {secret}
        </Typography.Paragraph>
      </Modal>
    </>
  );
}

import { Alert, Button, Card, Form, Input } from "antd";
import { useState } from "react";
import { signIn } from "../api.ts";
import { useI18n } from "../i18n.tsx";

export function SignIn(props: { onSignedIn: () => void }) {
  const { t } = useI18n();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (values: { adminKey: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      await signIn(values.adminKey);
      props.onSignedIn();
    } catch (refused) {
      setError(refused instanceof Error ? refused.message : String(refused));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main style={{ display: "flex", justifyContent: "center", paddingTop: "15vh" }}>
      <Card style={{ width: 420 }}>
        <h1 style={{ fontSize: 20, marginTop: 0 }}>{t("signInTitle")}</h1>
        <Form layout="vertical" onFinish={(values: { adminKey: string }) => void submit(values)}>
          <Form.Item label={t("adminKey")} name="adminKey" extra={t("adminKeyHelp")} rules={[{ required: true }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          {error ? <Alert type="error" title={error} style={{ marginBottom: 16 }} /> : null}
          <Button type="primary" htmlType="submit" disabled={busy} block>
            {t("signIn")}
          </Button>
        </Form>
      </Card>
    </main>
  );
}

import { AGREEMENT_STATUS_LABELS, CHARGE_STATUS_LABELS } from "@paysign/contracts/mini";
import { Button, Space, Tag } from "antd";
import type { ReactNode } from "react";
import { labelOf, useI18n } from "./i18n.tsx";
import { navigate } from "./router.ts";

/** Solid tag colours dark enough for white text (WCAG AA, 4.5:1). */
export const TAG_COLORS = {
  green: "#237804",
  blue: "#0958d9",
  gold: "#874d00",
  orange: "#ad4e00",
  volcano: "#ad2102",
  red: "#a8071a",
  cyan: "#006d75",
  grey: "#595959",
} as const;

const agreementColors: Record<string, string> = {
  ACTIVE: TAG_COLORS.green,
  TEMP: TAG_COLORS.gold,
  PENDING: TAG_COLORS.blue,
  PAUSED: TAG_COLORS.orange,
  UNSIGNED: TAG_COLORS.grey,
  EXPIRED: TAG_COLORS.grey,
  COMPLETED: TAG_COLORS.cyan,
  FAILED: TAG_COLORS.red,
  ABANDONED: TAG_COLORS.grey,
};
const chargeColors: Record<string, string> = {
  SUCCEEDED: TAG_COLORS.green,
  PENDING: TAG_COLORS.blue,
  PROCESSING: TAG_COLORS.blue,
  UNKNOWN: TAG_COLORS.gold,
  FAILED: TAG_COLORS.red,
  PAST_DUE: TAG_COLORS.volcano,
};

export function AgreementStatusTag(props: { status: string }) {
  const { lang } = useI18n();
  return <Tag color={agreementColors[props.status]}>{labelOf(AGREEMENT_STATUS_LABELS, props.status, lang)}</Tag>;
}

export function ChargeStatusTag(props: { status: string }) {
  const { lang } = useI18n();
  return <Tag color={chargeColors[props.status]}>{labelOf(CHARGE_STATUS_LABELS, props.status, lang)}</Tag>;
}

/** A link inside the console (a real href, so it opens in a new tab too). */
export function Link(props: { to: string; children: ReactNode }) {
  return (
    <a
      href={`/console${props.to}`}
      onClick={(event) => {
        if (event.metaKey || event.ctrlKey) return;
        event.preventDefault();
        navigate(props.to);
      }}
    >
      {props.children}
    </a>
  );
}

/** Cursor paging: the first page, and the next while the API gives a cursor. */
export function Pager(props: { nextCursor: string | null | undefined; onFirst: () => void; onNext: () => void }) {
  const { t } = useI18n();
  return (
    <Space>
      <Button onClick={props.onFirst}>{t("firstPage")}</Button>
      <Button disabled={!props.nextCursor} onClick={props.onNext}>
        {t("nextPage")}
      </Button>
    </Space>
  );
}

export function PageTitle(props: { children: ReactNode }) {
  return <h1 style={{ margin: "0 0 16px", fontSize: 22 }}>{props.children}</h1>;
}

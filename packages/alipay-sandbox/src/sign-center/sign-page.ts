import { fenToYuan } from "@paysign/contracts";
import type { PeriodRule } from "../state/types.ts";
import type { Preparation } from "./prepare-signing.ts";

const PRODUCT_NAMES: Record<string, string> = {
  CYCLE_PAY_AUTH_P: "周期扣款 (periodic deduction)",
  GENERAL_WITHHOLDING_P: "商户代扣 (withholding)",
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replaceAll("<", "\\u003c");
}

function periodText(rule: PeriodRule): string {
  return rule.periodType === "DAY"
    ? `每 ${rule.period} 天 (every ${rule.period} days)`
    : `每 ${rule.period} 个月 (every ${rule.period} month(s))`;
}

function termRows(preparation: Preparation & { ok: true }): Array<[string, string]> {
  const { app, terms } = preparation.signing;
  const rule = terms.periodRule;
  const rows: Array<[string, string]> = [
    ["商户 Merchant", app.name ? `${app.name} (${app.appId})` : app.appId],
    ["产品 Product", PRODUCT_NAMES[terms.personalProductCode] ?? terms.personalProductCode],
  ];
  if (rule) {
    rows.push(["扣款周期 Period", periodText(rule)]);
    rows.push(["单笔最高 Amount per deduction", `¥${fenToYuan(rule.singleAmountFen)}`]);
    rows.push(["首次扣款日 First deduction", rule.executeTime]);
    if (rule.totalAmountFen !== null) rows.push(["累计上限 Total cap", `¥${fenToYuan(rule.totalAmountFen)}`]);
    if (rule.totalPayments !== null) rows.push(["次数上限 Payments cap", `${rule.totalPayments}`]);
  }
  if (terms.validity)
    rows.push(["有效期 Valid for", `${terms.validity.amount}${terms.validity.unit === "d" ? " 天" : " 个月"}`]);
  if (terms.externalLogonId) rows.push(["商户账号 Merchant account", terms.externalLogonId]);
  rows.push(["签约场景 Scene", terms.signScene]);
  return rows;
}

const STYLE = `
body{margin:0;font-family:-apple-system,"PingFang SC","Helvetica Neue",Arial,sans-serif;background:#f5f5f5;color:#333}
header{background:#1677ff;color:#fff;padding:16px 20px;font-size:18px;font-weight:600}
main{padding:16px}
.card{background:#fff;border-radius:12px;padding:16px;margin-bottom:16px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
dl{display:grid;grid-template-columns:auto 1fr;gap:10px 12px;margin:0}
dt{color:#888;font-size:14px}dd{margin:0;font-size:15px;text-align:right}
.error{color:#d4380d;word-break:break-all}
.actions{display:flex;gap:12px}
button{flex:1;border:0;border-radius:8px;padding:14px;font-size:16px}
#confirm{background:#1677ff;color:#fff}#cancel{background:#fff;color:#333;border:1px solid #ddd}
button:disabled{opacity:.5}
#result{white-space:pre-wrap;word-break:break-all;font-size:13px}
.note{color:#999;font-size:12px}
`;

const SCRIPT = `
// Inside an Alipay mini program web-view, my.postMessage exists only once Alipay's bridge script is loaded; it is
// served by the Alipay client itself, so it is loaded there only (a desktop browser never fetches it).
if (/AlipayClient|MiniProgram/i.test(navigator.userAgent) && !(window.my && window.my.postMessage)) {
  const bridge = document.createElement("script");
  bridge.src = "https://appx/web-view.min.js";
  document.head.appendChild(bridge);
}
const state = JSON.parse(document.getElementById("sign-data").textContent);
const out = document.getElementById("result");
async function decide(decision) {
  for (const b of document.querySelectorAll("button")) b.disabled = true;
  const userId = document.getElementById("user").value;
  const response = await fetch(state.centerUrl, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ signStr: state.signStr, userId, decision }),
  });
  const answer = await response.json();
  const labels = { "7000": "签约成功 Signed", "7002": "签约失败 Failed", "6001": "已取消 Cancelled" };
  out.textContent = (labels[answer.resultStatus] || answer.resultStatus) + "\\n" + (answer.memo || "");
  out.dataset.resultStatus = answer.resultStatus;
  document.getElementById("result-card").hidden = false;
  if (window.my && typeof window.my.postMessage === "function") {
    window.my.postMessage({ resultStatus: answer.resultStatus, result: answer.result });
  }
}
document.getElementById("confirm").addEventListener("click", () => decide("confirm"));
document.getElementById("cancel").addEventListener("click", () => decide("cancel"));
`;

/** The H5 signing page (inline CSS and JS, no external assets). */
export function renderSignPage(options: { preparation: Preparation; signStr: string; userId: string }): string {
  const { preparation, signStr, userId } = options;
  const body = preparation.ok
    ? `<dl>${termRows(preparation)
        .map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`)
        .join("")}</dl>`
    : `<p class="error" id="sign-error">${escapeHtml(preparation.reason)}</p>`;
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>支付宝签约 Alipay agreement (sandbox)</title><style>${STYLE}</style></head>
<body><header>开通扣款服务 · Sign agreement</header><main>
<section class="card" id="terms">${body}</section>
<section class="card"><label class="note" for="user">支付宝用户 Alipay user id</label>
<input id="user" value="${escapeHtml(userId)}" style="width:100%;border:1px solid #ddd;border-radius:6px;padding:8px;margin-top:6px;box-sizing:border-box"></section>
<div class="actions"><button id="cancel">取消 Cancel</button><button id="confirm">同意并开通 Confirm</button></div>
<section class="card" id="result-card" hidden><p id="result"></p></section>
<p class="note">Local Alipay sandbox — no real money moves.</p>
</main>
<script type="application/json" id="sign-data">${scriptJson({ signStr, centerUrl: "/sandbox/sign-center" })}</script>
<script>${SCRIPT}</script></body></html>`;
}

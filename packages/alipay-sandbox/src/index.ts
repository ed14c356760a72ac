export { createSandbox, type Sandbox } from "./create-sandbox.ts";
export type { RegisteredApp, SandboxOptions } from "./config.ts";
export { generateRsaKeyPair, type RsaKeyPair } from "./crypto/keys.ts";
export { createSandboxCertificates, issueAppCertificate, type SandboxCertificates } from "./crypto/certificates.ts";
export { certificateSn, rootCertificateSn } from "./crypto/cert-sn.ts";
export { openIdFor, type UserIdType } from "./users/user-identity.ts";
export { RETRY_DELAYS_MS } from "./notify/retry-schedule.ts";
export type { SignCenterResult } from "./sign-center/sign-center-service.ts";
export { GATEWAY_FAULT_MODES, NOTIFY_FAULT_MODES, type FaultMode } from "./faults/fault-store.ts";
export { readOrCreateCertificates, readOrCreateKeyPair } from "./key-folder.ts";
export { createSandboxControl, type ControlAnswer, type SandboxControl } from "./control/control-client.ts";
export type {
  AppSettingsInput,
  ControlErrorBody,
  CreateUserInput,
  FaultInput,
  PlantRefundInput,
  PlantTradeInput,
  SandboxAgreementView,
  SandboxAppView,
  SandboxAppGatewayView,
  SandboxAuthCodeView,
  SandboxClockView,
  SandboxFaultView,
  SandboxInfoView,
  SandboxLateRequestsView,
  SandboxNotificationView,
  SandboxReleasedView,
  SandboxResetView,
  SandboxTradeView,
  SandboxUserView,
  SignCenterInput,
} from "./control/control-api.ts";

import { registerPage } from "../../runtime/page.ts";
import { appGlobal } from "../../runtime/sign-relay.ts";
import { signWebviewPage } from "./sign-webview-page.ts";

registerPage(signWebviewPage(() => appGlobal().signRelay));

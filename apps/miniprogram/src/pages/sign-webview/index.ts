import { registerPage } from "../../runtime/page.ts";
import { signRelay } from "../../runtime/sign-relay.ts";
import { signWebviewPage } from "./sign-webview-page.ts";

registerPage(signWebviewPage(signRelay));

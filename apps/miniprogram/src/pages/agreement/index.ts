import { readBuildConfig } from "../../config.ts";
import { registerPage } from "../../runtime/page.ts";
import { createServices } from "../../services/services.ts";
import { agreementPage } from "./agreement-page.ts";

registerPage(agreementPage(createServices(readBuildConfig(), my)));

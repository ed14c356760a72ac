import { readBuildConfig } from "../../config.ts";
import { registerPage } from "../../runtime/page.ts";
import { createServices } from "../../services/services.ts";
import { agreementsPage } from "./agreements-page.ts";

registerPage(agreementsPage(createServices(readBuildConfig(), my)));

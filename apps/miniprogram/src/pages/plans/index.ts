import { readBuildConfig } from "../../config.ts";
import { registerPage } from "../../runtime/page.ts";
import { createServices } from "../../services/services.ts";
import { plansPage } from "./plans-page.ts";

registerPage(plansPage(createServices(readBuildConfig(), my)));

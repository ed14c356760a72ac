// The mini program engines have the timer functions; @mini-types/alipay does not declare them (no DOM lib here).
declare function setTimeout(handler: () => void, ms: number): number;

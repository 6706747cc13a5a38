exports.BuildTimerCollector = class BuildTimerCollector {};

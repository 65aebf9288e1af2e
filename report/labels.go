package report

var en = map[string]string{
	"title": "Investigation report", "version": "Version", "generated": "Generated", "changes": "Table of changes",
	"summary": "Executive summary", "compromised": "Compromised", "yes": "yes", "no": "no (no indicator in the evidence)",
	"cause": "Cause", "window": "Intrusion window", "leak": "Records at risk", "method": "Method", "scope": "Scope",
	"evidence": "Evidence", "acq": "SHA-256 at acquisition", "ana": "SHA-256 at analysis", "status": "Status",
	"sources": "Method and time normalisation", "zone": "Zones seen", "offset": "Clock offset", "year": "Year inference",
	"queries": "Queries behind every number", "command": "Command", "value": "Value", "what": "What",
	"annotated": "Timeline of annotated events", "histogram": "Events over time", "windows": "Windows",
	"hosts": "Hosts", "accounts": "Accounts", "files": "Files", "remote": "Remote addresses", "lateral": "Lateral movement",
	"risk": "Data at risk", "actual": "actual (requests that succeeded)", "potential": "potential (records reachable)",
	"indicators": "Indicators", "addresses": "Addresses", "uas": "User agents", "paths": "Paths", "hashes": "Hashes",
	"tampering": "Tampering findings", "annex": "Annex: counted records", "none": "none", "events": "events",
	"q_events": "events in the timeline", "q_hosts": "hosts in scope", "q_accounts": "accounts in scope",
	"q_files": "files in scope", "q_remote": "remote addresses in scope", "q_leak": "records counted as leaked",
	"w_intrusion": "Intrusion", "w_webshell": "Web shell present", "w_risk": "At-risk timeframe",
	"cause_webshell": "Web shell planted:", "cause_unknown": "not established from the evidence in this case",
	"leak_none": "no leak count was requested", "note_iocs_from_stars": "Indicators are the source addresses of the starred events.",
	"note_no_iocs": "No indicator was given and no starred event carries an address: scope and leak count were not run.",
	"time":         "Time", "host": "Host", "ref": "Reference", "event": "Event", "notes": "Annotations", "first": "First", "last": "Last",
	"basis": "Basis", "kind": "Kind", "detail": "Detail", "count": "Count", "path": "Path", "id": "ID", "size": "Size", "format": "Format",
	"display_zone": "Times are shown in", "user": "User",
	"role": "Role", "direction": "Direction", "why": "Why", "source": "source", "destination": "destination",
	"attacker-source": "attacker (source address)", "c2-destination": "command and control / exfiltration (destination address)",
	"web-shell-url": "web shell URL", "malicious-file": "file planted by the intruder", "altered-file": "file altered by the intruder",
	"flow_intrusion": "The intrusion: the intruder's source addresses (source) and the hosts they compromised (target)",
	"flow_c2":        "Connections of compromised hosts to outside addresses after their compromise (command and control or exfiltration): the outside address is the destination",
}

var ja = map[string]string{
	"title": "調査報告書", "version": "版", "generated": "作成日時", "changes": "改訂履歴",
	"summary": "概要", "compromised": "侵害の有無", "yes": "あり", "no": "なし（証拠に痕跡なし）",
	"cause": "原因", "window": "侵入期間", "leak": "漏えいのおそれのある件数", "method": "算出方法", "scope": "影響範囲",
	"evidence": "証拠一覧", "acq": "保全時 SHA-256", "ana": "解析時 SHA-256", "status": "照合",
	"sources": "解析方法と時刻の正規化", "zone": "タイムゾーン", "offset": "時計のずれ", "year": "年の推定",
	"queries": "各数値の根拠となる問い合わせ", "command": "コマンド", "value": "値", "what": "項目",
	"annotated": "注記したイベントのタイムライン", "histogram": "イベント数の推移", "windows": "期間",
	"hosts": "ホスト", "accounts": "アカウント", "files": "ファイル", "remote": "外部アドレス", "lateral": "横展開",
	"risk": "漏えいのおそれのある情報", "actual": "実際（成功したリクエスト）", "potential": "潜在（到達可能な件数）",
	"indicators": "痕跡情報（IoC）", "addresses": "アドレス", "uas": "ユーザーエージェント", "paths": "パス", "hashes": "ハッシュ値",
	"tampering": "改ざんの痕跡", "annex": "別表：計数したレコード", "none": "なし", "events": "件",
	"q_events": "タイムラインのイベント数", "q_hosts": "影響範囲のホスト数", "q_accounts": "影響範囲のアカウント数",
	"q_files": "影響範囲のファイル数", "q_remote": "影響範囲の外部アドレス数", "q_leak": "漏えいと数えたレコード数",
	"w_intrusion": "侵入", "w_webshell": "Web シェルの存在", "w_risk": "漏えいのおそれのある期間",
	"cause_webshell": "Web シェルの設置:", "cause_unknown": "本件の証拠からは特定できない",
	"leak_none": "漏えい件数の算出は指定されていない", "note_iocs_from_stars": "痕跡情報はスターを付けたイベントの送信元アドレスである。",
	"note_no_iocs": "痕跡情報の指定がなく、スター付きイベントにもアドレスがないため、影響範囲と漏えい件数は算出していない。",
	"time":         "時刻", "host": "ホスト", "ref": "参照", "event": "イベント", "notes": "注記", "first": "開始", "last": "終了",
	"basis": "根拠", "kind": "種別", "detail": "詳細", "count": "件数", "path": "パス", "id": "ID", "size": "サイズ", "format": "形式",
	"display_zone": "時刻の表示タイムゾーン", "user": "利用者",
	"role": "役割", "direction": "方向", "why": "根拠", "source": "送信元", "destination": "宛先",
	"attacker-source": "攻撃元（送信元アドレス）", "c2-destination": "C2・持ち出し先（宛先アドレス）",
	"web-shell-url": "Web シェルの URL", "malicious-file": "侵入者が設置したファイル", "altered-file": "侵入者が改ざんしたファイル",
	"flow_intrusion": "侵入：侵入者の送信元アドレス（送信元）と侵害されたホスト（攻撃対象）",
	"flow_c2":        "侵害後のホストから外部アドレスへの通信（C2 または持ち出し）：外部アドレスは宛先",
}

func labels(lang string) map[string]string {
	if lang == "ja" {
		return ja
	}
	return en
}

package report

import (
	"fmt"
	"sort"
	"strings"

	"github.com/kiseki-forensics/kiseki/search/leaks"
)

// methodText is a count's method in the report's language: kiseki leaks'
// own sentence in English; in Japanese, the same facts (selectors, logs,
// agreement, window) written from the options and the result.
func (r *Report) methodText(o leaks.Options, lr *leaks.Result) string {
	if r.Lang != "ja" {
		return lr.Method
	}
	var b strings.Builder
	switch {
	case o.PII:
		b.WriteString("イベント本文とメモリ上の成果物に含まれる個人情報（メールアドレス、発行者の番号範囲に入り Luhn 検査を満たすカード番号、電話番号）を正規化し、異なる値を数えた")
		if len(o.Sources) > 0 {
			b.WriteString("（対象ソース: " + strings.Join(o.Sources, ", ") + "）")
		}
	default:
		if len(o.Actors) > 0 {
			var as []string
			for _, a := range o.Actors {
				as = append(as, a.String())
			}
			fmt.Fprintf(&b, "送信元 %d 件（%s）からの", len(as), strings.Join(as, ", "))
		}
		if o.WindowFile != "" {
			fmt.Fprintf(&b, "ファイル %s が改ざんされていた期間（ディスクイメージ上の変更から次の変更まで）の", o.WindowFile)
		} else if lr.Window.First != "" || lr.Window.Last != "" {
			fmt.Fprintf(&b, "%s から %s までの", r.T(lr.Window.First), r.T(lr.Window.Last))
		}
		b.WriteString("リクエスト")
		if o.Endpoint != "" {
			fmt.Fprintf(&b, "（%s）", o.Endpoint)
		}
		if o.Status != "" {
			fmt.Fprintf(&b, "のうち応答ステータスが %s のもの", o.Status)
		}
		b.WriteString("について、")
		b.WriteString(distinctJa(o.Distinct))
		b.WriteString("を数えた")
	}
	if lr.Requests > 0 {
		fmt.Fprintf(&b, "。該当リクエスト %d 件", lr.Requests)
	}
	switch lr.Agreement {
	case "agree":
		b.WriteString("。CDN とオリジンのログの結果は一致し、両方に現れたリクエストは 1 件と数えた")
	case "disagree":
		var ks []string
		for k, v := range lr.BySource {
			ks = append(ks, fmt.Sprintf("%s %d 件", k, v))
		}
		sort.Strings(ks)
		fmt.Fprintf(&b, "。CDN とオリジンのログの結果が一致しない（%s）ため、多い方を採用した", strings.Join(ks, "、"))
	case "single-source":
		b.WriteString("。1 種類のログのみによる")
	}
	b.WriteString("。")
	return b.String()
}

// distinctJa names what a count counts.
func distinctJa(d string) string {
	switch {
	case d == "":
		return "リクエスト数"
	case strings.HasPrefix(d, "param:"):
		return "URL パラメータ " + strings.TrimPrefix(d, "param:") + " の異なる値の数"
	case strings.HasPrefix(d, "path:"):
		return "URL パスの第 " + strings.TrimPrefix(d, "path:") + " 要素の異なる値の数"
	case d == "ip":
		return "クライアントアドレスの異なる数"
	case d == "session":
		return "セッション（Cookie、なければアドレスとユーザーエージェント）の異なる数"
	}
	return d + " の異なる値の数"
}

"""Scrapy peer of the crawl benchmark: the same list -> detail crawl and the
same fields as marquee's site definition (whitespace collapsed like
marquee's extractor)."""
import re

import scrapy


def clean(parts):
    return " ".join("".join(parts).split())


class TicketsSpider(scrapy.Spider):
    name = "tickets"

    def __init__(self, base=None, **kw):
        super().__init__(**kw)
        self.start_urls = [base.rstrip("/") + "/list/1.html"]

    def parse(self, response):
        for li in response.css("ul.shows > li"):
            href = li.css("a.more::attr(href)").get()
            if href:
                yield response.follow(href, self.parse_show)
        nxt = response.css("a.next::attr(href)").get()
        if nxt:
            yield response.follow(nxt, self.parse)

    def parse_show(self, response):
        m = re.search(r"/show/(\d+)\.html$", response.url)
        item = {
            "source_id": m.group(1),
            "title": clean(response.css("h1.title ::text").getall()),
            "date_text": clean(response.css(".period ::text").getall()),
            "venue": clean(response.css(".venue ::text").getall()),
            "price": " / ".join(
                t for t in (clean(li.css("::text").getall()) for li in response.css(".prices li")) if t),
            "cast": ", ".join(
                t for t in (clean(li.css("::text").getall()) for li in response.css(".cast li")) if t),
        }
        src = response.css("img.poster::attr(src)").get()
        if src:
            item["poster_url"] = response.urljoin(src)
        yield {k: v for k, v in item.items() if v}

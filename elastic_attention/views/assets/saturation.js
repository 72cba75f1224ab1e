// Explorer script: __ID__ is replaced by the explorer's element id when the HTML is assembled.
(function(){
var uid="__ID__",root=document.getElementById(uid);
if(!root||root.getAttribute("data-ready"))return;root.setAttribute("data-ready","1");
function $(s){return document.getElementById(uid+"-"+s);}
var D=JSON.parse($("data").textContent),cv=$("canvas"),ctx=cv.getContext("2d"),dim=$("dim"),sc=$("scaled"),text=$("text");
function draw(){
var i=+dim.value,d=D.dims[i],key=sc.checked?"scaled":"raw",r=D[key][i],n=r.w.length;
$("dim-out").textContent=String(d);dim.setAttribute("aria-valuetext","d = "+d);
ctx.fillStyle="#fff";ctx.fillRect(0,0,cv.width,cv.height);
var x0=50,y0=20,w=cv.width-70,h=cv.height-60,bw=w/n;
ctx.strokeStyle="#999";ctx.lineWidth=1;ctx.beginPath();ctx.moveTo(x0,y0);ctx.lineTo(x0,y0+h);ctx.lineTo(x0+w,y0+h);ctx.stroke();
ctx.fillStyle="#222";ctx.font="13px sans-serif";ctx.textAlign="right";ctx.fillText("1",x0-6,y0+10);ctx.fillText("0",x0-6,y0+h);
ctx.fillStyle=sc.checked?"#2ca02c":"#d62728";
for(var k=0;k<n;k++){var bh=h*r.w[k];ctx.fillRect(x0+k*bw+bw*0.15,y0+h-bh,bw*0.7,bh);}
ctx.fillStyle="#222";ctx.textAlign="center";ctx.fillText("key, by rank of its weight (mean over "+D.samples+" random queries)",x0+w/2,y0+h+30);
for(k=0;k<n;k+=Math.max(1,Math.floor(n/8))){ctx.fillText(String(k+1),x0+k*bw+bw/2,y0+h+14);}
var t="d = "+d+(sc.checked?", scores divided by \u221ad":", unscaled scores")+": mean largest weight "+r.max.toFixed(2)+", mean Jacobian norm "+r.jac.toFixed(3)+".";
text.textContent=t;cv.setAttribute("aria-label","Bar chart of the sorted mean weights. "+t);}
[dim,sc].forEach(function(e){e.addEventListener("input",draw);e.addEventListener("change",draw);});
draw();
})();
